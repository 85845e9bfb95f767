import { User } from '@idp/core';
import { Column, Entity, Generated, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { GeoIpBinding, NetworkBinding } from '../domain/index.js';

/** A signed-in browser: found by the SHA-256 of its cookie token, never by the token itself. */
@Entity({ name: 'sessions' })
export class Session {
  /** The public handle (API, events); the cookie token is a different secret. */
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

  /** Absolute end for timed sessions; for browser sessions, the end of the idle window. */
  @Column({ type: 'timestamptz' })
  expires: Date;

  @Column({ name: 'browser_session', type: 'boolean' })
  browserSession: boolean;

  @Column({ name: 'last_ip', type: 'text' })
  lastIp: string;

  @Column({ name: 'last_user_agent', type: 'text', default: '' })
  lastUserAgent: string;

  @Column({ name: 'last_used', type: 'timestamptz' })
  lastUsed: Date;

  @Column({ name: 'network_binding', type: 'text', default: 'no_binding' })
  networkBinding: NetworkBinding;

  @Column({ name: 'geoip_binding', type: 'text', default: 'no_binding' })
  geoipBinding: GeoIpBinding;

  /** The login stage that created it; kept null when that stage is deleted. */
  @Column({ name: 'stage_uuid', type: 'uuid', nullable: true })
  stageUuid: string | null;
}
