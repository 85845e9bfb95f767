import { User } from '@idp/core';
import { Column, Entity, Generated, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { SessionDeviceBinding } from './session-device-binding.entity.js';
import type { BindingMode, GeoIpBinding, MissingRecordPolicy, NetworkBinding } from '../domain/index.js';

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

  /** Whether the login came from a remembered device (device cookie, or another session from its IP). */
  @Column({ name: 'known_device', type: 'boolean', default: false })
  knownDevice: boolean;

  /** Its DBSC side, when a login offered registration; bound once it has a public key. */
  @OneToOne(() => SessionDeviceBinding, (binding) => binding.session)
  deviceBinding?: Relation<SessionDeviceBinding> | null;

  /** The login stage that created it; kept null when that stage is deleted. */
  @Column({ name: 'stage_uuid', type: 'uuid', nullable: true })
  stageUuid: string | null;

  /** The stage's binding options, copied at login like the levels above. */
  @Column({ name: 'binding_mode', type: 'text', default: 'enforce' })
  bindingMode: BindingMode;

  @Column({ name: 'on_missing_record', type: 'text', default: 'terminate' })
  onMissingRecord: MissingRecordPolicy;

  @Column({ name: 'binding_exempt_cidrs', type: 'jsonb', default: () => "'[]'" })
  bindingExemptCidrs: string[];

  @Column({ name: 'ipv6_prefix', type: 'smallint', default: 128 })
  ipv6Prefix: number;

  /** The IP the network levels compare with; null while it is `last_ip`. */
  @Column({ name: 'network_reference_ip', type: 'text', nullable: true })
  networkReferenceIp: string | null;

  /** The IP the GeoIP levels compare with; null while it is `last_ip`. */
  @Column({ name: 'geoip_reference_ip', type: 'text', nullable: true })
  geoipReferenceIp: string | null;

  /** The stage's `session_idle_timeout` in ms; 0 is off. */
  @Column({ name: 'idle_timeout_ms', type: 'double precision', default: 0 })
  idleTimeoutMs: number;

  /** When the session ends if unused; null without an idle timeout. */
  @Column({ name: 'idle_expires', type: 'timestamptz', nullable: true })
  idleExpires: Date | null;
}
