import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { SESSION_ORDERINGS, SessionsService, TerminateSessionsService } from '@idp/user-login';
import { Transform } from 'class-transformer';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { ApiCaller } from '../../auth/api-auth.guard.js';
import { UserApi } from '../common/admin-api.decorator.js';
import { ApiPaginatedResponse } from '../common/api-responses.js';
import { BulkDeleteResponse, SessionResponse } from './session.response.js';
import { Caller } from '../../auth/caller.decorator.js';
import { ApiNoContentResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { QueryFlag, QueryText, rule } from '../common/dto-rules.js';
import { PageQuery, pageOf, paginated } from '../common/pagination.js';
import { UuidParam } from '../common/params.js';
import { SessionPresenter } from './session.presenter.js';

export class SessionListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Exact username.' })
  @QueryText()
  user__username?: string;

  @ApiPropertyOptional({ description: 'Exact client IP of the last use.' })
  @QueryText()
  last_ip?: string;

  @ApiPropertyOptional({ description: 'Part of the username, IP or user agent.' })
  @QueryText()
  search?: string;

  @ApiPropertyOptional({ enum: SESSION_ORDERINGS, default: '-last_used' })
  @QueryText()
  @rule('ordering', (value) =>
    SESSION_ORDERINGS.includes(value as string)
      ? null
      : `Unknown ordering "${String(value)}". Choose one of: ${SESSION_ORDERINGS.join(', ')}.`,
  )
  ordering?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false', '1', '0'],
    description: 'Only the caller\'s own sessions, whatever their rights ("My sessions").',
  })
  @QueryFlag()
  mine?: boolean;
}

/** `?user_pks=1,2` as numbers, or the text as sent (which the rule refuses). */
const USER_PKS = /^\s*\d{1,9}\s*$/;

export class BulkDeleteQuery {
  @ApiPropertyOptional({
    type: 'string',
    example: '1,2',
    description: 'Comma-separated user pks; default: the caller.',
  })
  @Transform(({ value }) => {
    if (typeof value !== 'string') return null; // e.g. a repeated parameter
    const parts = value.split(',');
    return parts.every((part) => USER_PKS.test(part) && Number(part) >= 1) ? [...new Set(parts.map(Number))] : value;
  })
  @rule('user_pks', (value) =>
    Array.isArray(value) ? null : 'A comma-separated list of user pks is required, e.g. ?user_pks=1,2.',
  )
  user_pks?: number[];

  @ApiPropertyOptional({ enum: ['true', 'false', '1', '0'], description: 'Spare the session the request came with.' })
  @QueryFlag()
  keep_current?: boolean;
}

/**
 * `/api/v3/core/authenticated_sessions/`: one API for admins and for people managing their own
 * sessions. Admins see and revoke everyone's; any other user only their own, and someone else's
 * session is a 404 (never a 403) so its existence does not leak.
 *
 * - `GET /` lists (filters `user__username`, `last_ip`; `search`; `ordering`, default `-last_used`).
 *   `mine=true` lists only the caller's own sessions whatever their rights, so "My sessions"
 *   means the same for an admin as for anyone else.
 * - `GET /{uuid}/`, `DELETE /{uuid}/` (204) read and revoke one session.
 * - `DELETE /bulk_delete/?user_pks=1,2&keep_current=true` revokes every session of the listed
 *   users and answers `{"deleted": n}`. Without `user_pks` it acts on the caller's own sessions;
 *   for a non-admin `user_pks` only narrows, so naming other users ends nothing of theirs.
 *   `keep_current=true` spares the session the request came with, which makes
 *   `DELETE /bulk_delete/?keep_current=true` the "sign out everywhere else" button; it needs a
 *   session cookie (a bearer token has no current session), otherwise 400.
 *
 * Every revocation writes a `logout` event per session (see `TerminateSessionsService`).
 */
@Controller('api/v3/core/authenticated_sessions')
@ApiTags('sessions')
@UserApi()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly terminator: TerminateSessionsService,
    private readonly presenter: SessionPresenter,
  ) {}

  @Get()
  @ApiPaginatedResponse(SessionResponse)
  async list(@Query() query: SessionListQuery, @Caller() caller: ApiCaller) {
    const page = pageOf(query);
    const [rows, count] = await this.sessions.list({
      offset: page.offset,
      limit: page.pageSize,
      userPk: caller.user.isSuperuser && !query.mine ? undefined : caller.user.pk,
      username: query.user__username,
      lastIp: query.last_ip,
      search: query.search,
      ordering: query.ordering,
    });
    return paginated(
      page,
      count,
      rows.map((row) => this.presenter.present(row, caller.session?.uuid ?? null)),
    );
  }

  /** Revokes every session of the given users (default: the caller) and returns how many ended. */
  @Delete('bulk_delete')
  @ApiOkResponse({ type: BulkDeleteResponse })
  async bulkDelete(
    @Query() query: BulkDeleteQuery,
    @Caller() caller: ApiCaller,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ) {
    const keepCurrent = query.keep_current === true;
    if (keepCurrent && !caller.session) {
      throw new BadRequestException({
        keep_current: ['Only a request with a session cookie has a current session to keep.'],
      });
    }
    const requested = query.user_pks ?? [caller.user.pk];
    const userPks = caller.user.isSuperuser ? requested : requested.filter((pk) => pk === caller.user.pk);
    const keep = keepCurrent ? caller.session!.uuid : undefined;
    // Revoking the caller's own current session signs this browser out: its cookie is cleared too.
    const by = { user: caller.user, request, response, currentSessionUuid: caller.session?.uuid };
    return { deleted: await this.terminator.revokeAllOf(userPks, by, keep) };
  }

  @Get(':uuid')
  @ApiOkResponse({ type: SessionResponse })
  async get(@Param('uuid', UuidParam) uuid: string, @Caller() caller: ApiCaller) {
    const session = await this.visible(uuid, caller);
    return this.presenter.present(session, caller.session?.uuid ?? null);
  }

  @Delete(':uuid')
  @ApiNoContentResponse({ description: "Ends it; when it is the caller's own, the cookie is cleared too." })
  @HttpCode(204)
  async remove(
    @Param('uuid', UuidParam) uuid: string,
    @Caller() caller: ApiCaller,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ) {
    await this.visible(uuid, caller);
    // Another request may have ended it since: then there is nothing left to revoke. Ending the
    // session this request came with signs this browser out: its cookie is cleared too.
    const by = { user: caller.user, request, response, currentSessionUuid: caller.session?.uuid };
    if (!(await this.terminator.revoke(uuid, by))) throw new NotFoundException({ detail: 'Not found.' });
  }

  private async visible(uuid: string, caller: ApiCaller) {
    const session = await this.sessions.findLive(uuid);
    if (!session) throw new NotFoundException({ detail: 'Not found.' });
    if (!caller.user.isSuperuser && session.userPk !== caller.user.pk)
      throw new NotFoundException({ detail: 'Not found.' });
    return session;
  }
}
