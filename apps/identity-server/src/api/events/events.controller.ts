import { EventRepository, type AuditEvent } from '@idp/core';
import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { AdminApi } from '../common/admin-api.decorator.js';
import { ApiPaginatedResponse } from '../common/api-responses.js';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { QueryText, rule } from '../common/dto-rules.js';
import { PageQuery, pageOf, paginated } from '../common/pagination.js';
import { UuidParam } from '../common/params.js';

/** One audit event. */
export class EventResponse {
  @ApiProperty({ format: 'uuid' }) pk: string;
  @ApiProperty({ example: 'logout' }) action: string;
  @ApiProperty({ example: 'idp.user_login' }) app: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: '{pk, username, email} of the user it is about.',
  })
  user: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What happened, e.g. a logout reason and binding levels.',
  })
  context: Record<string, unknown>;
  @ApiProperty({ type: 'string', nullable: true }) client_ip: string | null;
  @ApiProperty({ format: 'date-time' }) created: Date;
  @ApiProperty({ format: 'date-time' }) expires: Date;
}

const EVENT_ORDERINGS = ['created', '-created'] as const;

export class EventListQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'logout' })
  @QueryText()
  action?: string;

  @ApiPropertyOptional({ description: 'Username of the user the event is about.' })
  @QueryText()
  username?: string;

  @ApiPropertyOptional()
  @QueryText()
  client_ip?: string;

  @ApiPropertyOptional({ enum: EVENT_ORDERINGS, default: '-created' })
  @QueryText()
  @rule('ordering', (value) =>
    (EVENT_ORDERINGS as readonly unknown[]).includes(value) ? null : 'Choose one of: created, -created.',
  )
  ordering?: (typeof EVENT_ORDERINGS)[number];
}

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
@ApiTags('events')
@AdminApi()
export class EventsController {
  constructor(private readonly events: EventRepository) {}

  @Get()
  @ApiPaginatedResponse(EventResponse)
  async list(@Query() query: EventListQuery) {
    const page = pageOf(query);
    const [rows, count] = await this.events.list({
      action: query.action,
      username: query.username,
      clientIp: query.client_ip,
      ordering: query.ordering ?? '-created',
      offset: page.offset,
      limit: page.pageSize,
    });
    return paginated(page, count, rows.map(present));
  }

  @Get(':uuid')
  @ApiOkResponse({ type: EventResponse })
  async get(@Param('uuid', UuidParam) uuid: string) {
    const event = await this.events.findOne(uuid);
    if (!event) throw new NotFoundException({ detail: 'Not found.' });
    return present(event);
  }
}
