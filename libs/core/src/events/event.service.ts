import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import type { EventUser } from '../users/user.entity.js';
import type { AuditEvent } from './event.entity.js';
import { EventRepository } from './event.repository.js';

/** What one audit event says; the service adds timestamps and the retention window. */
export interface NewEvent {
  action: string;
  app: string;
  user?: EventUser | null;
  context?: Record<string, unknown>;
  clientIp?: string | null;
}

/** Writes audit events (`login`, `logout`, `login_failed`, `model_created`, ...). */
@Injectable()
export class EventService {
  constructor(
    private readonly events: EventRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  record(event: NewEvent): Promise<AuditEvent> {
    const created = this.clock.now();
    return this.events.insert({
      action: event.action,
      app: event.app,
      user: event.user ?? {},
      context: event.context ?? {},
      clientIp: event.clientIp ?? null,
      created,
      expires: new Date(created.getTime() + this.options.eventRetentionMs),
    });
  }
}
