import { Column, CreateDateColumn, Entity, Generated, PrimaryGeneratedColumn } from 'typeorm';

/** A person (or service account) who can sign in. */
@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn()
  pk: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid: string;

  @Column({ type: 'text', unique: true })
  username: string;

  @Column({ type: 'text', default: '' })
  name: string;

  @Column({ type: 'text', default: '' })
  email: string;

  /** argon2id PHC string; never selected unless asked for. */
  @Column({ type: 'text', nullable: true, select: false })
  password: string | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_superuser', type: 'boolean', default: false })
  isSuperuser: boolean;

  @Column({ name: 'last_login', type: 'timestamptz', nullable: true })
  lastLogin: Date | null;

  @CreateDateColumn({ name: 'date_joined', type: 'timestamptz' })
  dateJoined: Date;

  /** Set by every change made through the users API; a sign-in (last_login) is no change. */
  @Column({ name: 'last_updated', type: 'timestamptz', default: () => 'now()' })
  lastUpdated: Date;

  /** When the password was last set (at creation, or by the API). */
  @Column({ name: 'password_change_date', type: 'timestamptz', default: () => 'now()' })
  passwordChangeDate: Date;
}

/** The user as the API and events show it. */
export interface PublicUser {
  pk: number;
  username: string;
  name: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
}

export function toPublicUser(user: User): PublicUser {
  return {
    pk: user.pk,
    username: user.username,
    name: user.name,
    email: user.email,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
  };
}

/** The `{pk, username, email}` dict that events store. */
export function toEventUser(user: Pick<User, 'pk' | 'username' | 'email'>): EventUser {
  return { pk: user.pk, username: user.username, email: user.email };
}

export interface EventUser {
  pk: number;
  username: string;
  email: string;
}
