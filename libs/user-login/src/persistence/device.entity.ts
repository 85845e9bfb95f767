import { User } from '@idp/core';
import { Column, Entity, Generated, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** A browser remembered for a user (`remember_device`): found by the SHA-256 of its cookie token. */
@Entity({ name: 'devices' })
export class Device {
  @PrimaryColumn({ type: 'uuid' })
  @Generated('uuid')
  uuid: string;

  @Column({ name: 'token_hash', type: 'text', unique: true, select: false })
  tokenHash: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_pk' })
  user: User;

  @Column({ name: 'user_pk', type: 'integer' })
  userPk: number;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ name: 'last_used', type: 'timestamptz' })
  lastUsed: Date;

  @Column({ type: 'timestamptz' })
  expires: Date;

  @Column({ name: 'user_agent', type: 'text', default: '' })
  userAgent: string;
}
