import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { AuditEvent } from './event.entity.js';
import { pageWindow } from '../database/sql-integers.js';

export interface EventFilter {
  action?: string;
  username?: string;
  userPk?: number;
  clientIp?: string;
  ordering?: 'created' | '-created';
  offset: number;
  limit: number;
}

/** The only place that queries the events table. */
@Injectable()
export class EventRepository {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  insert(event: Omit<AuditEvent, 'eventUuid'>, manager?: EntityManager): Promise<AuditEvent> {
    if (manager) return manager.save(AuditEvent, manager.create(AuditEvent, event));
    return this.events.save(this.events.create(event));
  }

  findOne(eventUuid: string): Promise<AuditEvent | null> {
    return this.events.findOneBy({ eventUuid });
  }

  list(filter: EventFilter): Promise<[AuditEvent[], number]> {
    const query = this.events
      .createQueryBuilder('e')
      .orderBy('e.created', filter.ordering === 'created' ? 'ASC' : 'DESC')
      .addOrderBy('e.event_uuid', 'ASC')
      .skip(pageWindow({ offset: filter.offset, limit: filter.limit }).offset)
      .take(filter.limit);
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.username) query.andWhere("e.user->>'username' = :username", { username: filter.username });
    if (filter.userPk !== undefined) query.andWhere("(e.user->>'pk')::int = :pk", { pk: filter.userPk });
    if (filter.clientIp) query.andWhere('e.client_ip = :ip', { ip: filter.clientIp });
    return query.getManyAndCount();
  }

  /** Deletes up to `batchSize` expired events; small batches keep row locks short. */
  async deleteExpired(now: Date, batchSize: number): Promise<number> {
    const result = await this.events.query(
      `DELETE FROM events WHERE event_uuid IN (
         SELECT event_uuid FROM events WHERE expires < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, batchSize],
    );
    return result[1] ?? 0;
  }
}
