import { EventRepository, type AuditEvent } from '@idp/core';
import { BadRequestException, Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { AdminOnly, ApiAuthGuard } from '../../auth/api-auth.guard.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';
import { UuidParam } from '../shared/uuid-param.js';

function present(event: AuditEvent) {
  return {
    pk: event.eventUuid,
    action: event.action,
    app: event.app,
    user: event.user,
    context: event.context,
    client_ip: event.clientIp,
    created: event.created,
    expires: event.expires,
  };
}

/** `/api/v3/events/events/`: the audit log, filterable by action and username. */
@Controller('api/v3/events/events')
@UseGuards(ApiAuthGuard)
@AdminOnly()
export class EventsController {
  constructor(private readonly events: EventRepository) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const ordering = queryText(query, 'ordering') ?? '-created';
    if (ordering !== 'created' && ordering !== '-created')
      throw new BadRequestException({ ordering: ['Choose one of: created, -created.'] });
    const [rows, count] = await this.events.list({
      action: queryText(query, 'action'),
      username: queryText(query, 'username'),
      clientIp: queryText(query, 'client_ip'),
      ordering,
      offset: page.offset,
      limit: page.pageSize,
    });
    return paginated(page, count, rows.map(present));
  }

  @Get(':uuid')
  async get(@Param('uuid', UuidParam) uuid: string) {
    const event = await this.events.findOne(uuid);
    if (!event) throw new NotFoundException({ detail: 'Not found.' });
    return present(event);
  }
}
