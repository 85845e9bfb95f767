import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import type { EventUser } from '../users/user.entity.js';

/** One audit log entry: who did what, from where, with the details in `context`. */
@Entity({ name: 'events' })
export class AuditEvent {
  @PrimaryColumn({ name: 'event_uuid', type: 'uuid' })
  @Generated('uuid')
  eventUuid: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  app: string;

  /** `{pk, username, email}` of the user concerned, frozen at the time of the event. */
  @Column({ type: 'jsonb', default: {} })
  user: EventUser | Record<string, never>;

  @Column({ type: 'jsonb', default: {} })
  context: Record<string, unknown>;

  @Column({ name: 'client_ip', type: 'text', nullable: true })
  clientIp: string | null;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  expires: Date;
}
