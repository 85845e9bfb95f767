import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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

/** Hears of each audit event once it is stored; must be cheap and must not throw. */
export type EventRecordedListener = (event: Readonly<NewEvent>) => void;

/** Writes audit events (`login`, `logout`, `login_failed`, `model_created`, ...). */
@Injectable()
export class EventService {
  private listeners: EventRecordedListener[] = [];

  constructor(
    private readonly events: EventRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  /** Registers a listener (e.g. a metrics counter by action); returns a function that removes it. */
  subscribe(listener: EventRecordedListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }

  /** Writes one event; inside `manager`'s transaction when given, so it stands or falls with it. */
  async record(event: NewEvent, manager?: EntityManager): Promise<AuditEvent> {
    const created = this.clock.now();
    const stored = await this.events.insert(
      {
        action: event.action,
        app: event.app,
        user: event.user ?? {},
        context: event.context ?? {},
        clientIp: event.clientIp ?? null,
        created,
        expires: new Date(created.getTime() + this.options.eventRetentionMs),
      },
      manager,
    );
    for (const listener of this.listeners) listener(event);
    return stored;
  }
}
