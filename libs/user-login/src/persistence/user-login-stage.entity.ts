import { Stage } from '@idp/core';
import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import type { GeoIpBinding, NetworkBinding } from '../domain/index.js';

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
}
