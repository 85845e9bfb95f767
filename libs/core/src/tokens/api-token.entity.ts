import { Column, CreateDateColumn, Entity, Generated, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/** A bearer token for the API; only the SHA-256 of its key is stored. */
@Entity({ name: 'api_tokens' })
export class ApiToken {
  @PrimaryColumn({ name: 'token_uuid', type: 'uuid' })
  @Generated('uuid')
  tokenUuid: string;

  @Column({ type: 'text', unique: true })
  identifier: string;

  @Column({ name: 'key_hash', type: 'text', unique: true, select: false })
  keyHash: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE', eager: true })
  @JoinColumn({ name: 'user_pk' })
  user: User;

  @Column({ type: 'timestamptz', nullable: true })
  expires: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created: Date;
}
