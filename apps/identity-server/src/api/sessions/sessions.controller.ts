import { CLOCK, type Clock, type HttpRequestLike, type HttpResponseLike } from '@idp/core';
import {
  isSessionLive,
  SESSION_ORDERINGS,
  SessionCookieService,
  SessionRepository,
  TerminateSessionsService,
} from '@idp/user-login';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiAuthGuard, type ApiCaller } from '../../auth/api-auth.guard.js';
import { Caller } from '../../auth/caller.decorator.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';
import { SessionPresenter } from './session.presenter.js';
import { UuidParam } from '../shared/uuid-param.js';

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
@UseGuards(ApiAuthGuard)
export class SessionsController {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly terminator: TerminateSessionsService,
    private readonly presenter: SessionPresenter,
    private readonly cookies: SessionCookieService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Caller() caller: ApiCaller) {
    const page = readPage(query);
    const ordering = queryText(query, 'ordering');
    if (ordering && !SESSION_ORDERINGS.includes(ordering)) {
      throw new BadRequestException({
        ordering: [`Unknown ordering "${ordering}". Choose one of: ${SESSION_ORDERINGS.join(', ')}.`],
      });
    }
    const mine = readFlag(query, 'mine');
    const [rows, count] = await this.sessions.list(
      {
        offset: page.offset,
        limit: page.pageSize,
        userPk: caller.user.isSuperuser && !mine ? undefined : caller.user.pk,
        username: queryText(query, 'user__username'),
        lastIp: queryText(query, 'last_ip'),
        search: queryText(query, 'search'),
        ordering,
      },
      this.clock.now(),
    );
    return paginated(
      page,
      count,
      rows.map((row) => this.presenter.present(row, caller.session?.uuid ?? null)),
    );
  }

  /** Revokes every session of the given users (default: the caller) and returns how many ended. */
  @Delete('bulk_delete')
  async bulkDelete(
    @Query() query: Record<string, unknown>,
    @Caller() caller: ApiCaller,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ) {
    const keepCurrent = readFlag(query, 'keep_current');
    if (keepCurrent && !caller.session) {
      throw new BadRequestException({
        keep_current: ['Only a request with a session cookie has a current session to keep.'],
      });
    }
    const requested = readUserPks(query) ?? [caller.user.pk];
    const userPks = caller.user.isSuperuser ? requested : requested.filter((pk) => pk === caller.user.pk);
    const keep = keepCurrent ? caller.session!.uuid : undefined;
    const deleted = await this.terminator.revokeAllOf(userPks, { user: caller.user, request }, keep);
    if (caller.session && !keep && userPks.includes(caller.user.pk)) this.cookies.clear(request, response);
    return { deleted };
  }

  @Get(':uuid')
  async get(@Param('uuid', UuidParam) uuid: string, @Caller() caller: ApiCaller) {
    const session = await this.visible(uuid, caller);
    return this.presenter.present(session, caller.session?.uuid ?? null);
  }

  @Delete(':uuid')
  @HttpCode(204)
  async remove(
    @Param('uuid', UuidParam) uuid: string,
    @Caller() caller: ApiCaller,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ) {
    await this.visible(uuid, caller);
    // Another request may have ended it since: then there is nothing left to revoke.
    if (!(await this.terminator.revoke(uuid, { user: caller.user, request })))
      throw new NotFoundException({ detail: 'Not found.' });
    // Ending the session this request came with signs this browser out: drop its cookie too.
    if (uuid === caller.session?.uuid) this.cookies.clear(request, response);
  }

  private async visible(uuid: string, caller: ApiCaller) {
    const session = await this.sessions.findByUuid(uuid);
    if (!session || !isSessionLive(session, this.clock.now())) throw new NotFoundException({ detail: 'Not found.' });
    if (!caller.user.isSuperuser && session.userPk !== caller.user.pk)
      throw new NotFoundException({ detail: 'Not found.' });
    return session;
  }
}

/** `?user_pks=1,2` as numbers; undefined when absent; 400 when it is not a list of pks. */
function readUserPks(query: Record<string, unknown>): number[] | undefined {
  if (query.user_pks === undefined) return undefined;
  const raw = typeof query.user_pks === 'string' ? query.user_pks : '';
  const pks = raw.split(',').map((value) => (/^\s*\d{1,9}\s*$/.test(value) ? Number(value) : NaN));
  if (pks.some((pk) => !Number.isInteger(pk) || pk < 1)) {
    throw new BadRequestException({
      user_pks: ['A comma-separated list of user pks is required, e.g. ?user_pks=1,2.'],
    });
  }
  return [...new Set(pks)];
}

/** A boolean query flag (`true`/`false`/`1`/`0`); absent means false; anything else is a 400. */
function readFlag(query: Record<string, unknown>, key: string): boolean {
  const value = query[key];
  if (value === undefined) return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BadRequestException({ [key]: ['Must be a valid boolean: true or false.'] });
}
