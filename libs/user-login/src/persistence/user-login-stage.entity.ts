import { Stage } from '@idp/core';
import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import type {
  BindingMode,
  DeviceBoundSessions,
  GeoIpBinding,
  LimitPolicy,
  MissingRecordPolicy,
  NetworkBinding,
} from '../domain/index.js';

/** Settings of one User Login stage; its name and type live in the common `stages` row. */
@Entity({ name: 'user_login_stages' })
export class UserLoginStage {
  @PrimaryColumn({ name: 'stage_uuid', type: 'uuid' })
  stageUuid: string;

  @OneToOne(() => Stage, { onDelete: 'CASCADE', eager: true })
  @JoinColumn({ name: 'stage_uuid' })
  stage: Stage;

  /** How long the session lasts, e.g. `hours=8`; `seconds=0` ends it with the browser. */
  @Column({ name: 'session_duration', type: 'text', default: 'seconds=0' })
  sessionDuration: string;

  /** Added when the user answers "Stay signed in?" with yes; `<= 0` never prompts. */
  @Column({ name: 'remember_me_offset', type: 'text', default: 'seconds=0' })
  rememberMeOffset: string;

  @Column({ name: 'network_binding', type: 'text', default: 'no_binding' })
  networkBinding: NetworkBinding;

  @Column({ name: 'geoip_binding', type: 'text', default: 'no_binding' })
  geoipBinding: GeoIpBinding;

  @Column({ name: 'terminate_other_sessions', type: 'boolean', default: false })
  terminateOtherSessions: boolean;

  /** `log`: a broken binding keeps the session and writes a `session_binding_violation` event. */
  @Column({ name: 'binding_mode', type: 'text', default: 'enforce' })
  bindingMode: BindingMode;

  /** `allow`: an IP a database has no record for is let through for that database's levels. */
  @Column({ name: 'on_missing_record', type: 'text', default: 'terminate' })
  onMissingRecord: MissingRecordPolicy;

  /** Networks (CIDR strings) whose requests are not checked. */
  @Column({ name: 'binding_exempt_cidrs', type: 'jsonb', default: () => "'[]'" })
  bindingExemptCidrs: string[];

  /** IPv6 addresses in the same /N are the same IP for `network.ip`. */
  @Column({ name: 'ipv6_prefix', type: 'smallint', default: 128 })
  ipv6Prefix: number;

  /** A session unused for longer than this ends; `seconds=0` is off. */
  @Column({ name: 'session_idle_timeout', type: 'text', default: 'seconds=0' })
  sessionIdleTimeout: string;

  /** Live sessions per user after a login through this stage; 0 is unlimited. */
  @Column({ name: 'max_sessions', type: 'integer', default: 0 })
  maxSessions: number;

  @Column({ name: 'on_limit', type: 'text', default: 'evict_oldest' })
  onLimit: LimitPolicy;
  /** How long the device cookie remembers this browser (`seconds=0`: no cookie). */
  @Column({ name: 'remember_device', type: 'text', default: 'days=30' })
  rememberDevice: string;

  /** `prefer`: offer Device Bound Session Credentials to browsers that support them. */
  @Column({ name: 'device_bound_sessions', type: 'text', default: 'off' })
  deviceBoundSessions: DeviceBoundSessions;
}
