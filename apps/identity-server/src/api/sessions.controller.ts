import { clientIp, EventService, httpRequestContext, toEventUser, type HttpRequestLike } from '@idp/core';
import { SESSION_ORDERINGS, SessionRepository, TerminateSessionsService } from '@idp/user-login';
import { BadRequestException, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Query, Req, UseGuards } from '@nestjs/common';
import { CLOCK, type Clock } from '@idp/core';
import { ApiAuthGuard, type ApiCaller } from '../auth/api-auth.guard.js';
import { Caller } from '../auth/caller.decorator.js';
import { paginated, queryText, readPage } from './pagination.js';
import { SessionPresenter } from './session.presenter.js';
import { UuidParam } from './uuid-param.js';

/**
 * `/api/v3/core/authenticated_sessions/`: admins see and end everyone's sessions; other users
 * only their own, and someone else's session is a 404 so its existence does not leak.
 */
@Controller('api/v3/core/authenticated_sessions')
@UseGuards(ApiAuthGuard)
export class SessionsController {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly terminator: TerminateSessionsService,
    private readonly presenter: SessionPresenter,
    private readonly events: EventService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Caller() caller: ApiCaller) {
    const page = readPage(query);
    const ordering = queryText(query, 'ordering');
    if (ordering && !SESSION_ORDERINGS.includes(ordering)) {
      throw new BadRequestException({ ordering: [`Choose one of: ${SESSION_ORDERINGS.join(', ')}.`] });
    }
    const [rows, count] = await this.sessions.list(
      {
        offset: page.offset,
        limit: page.pageSize,
        userPk: caller.user.isSuperuser ? undefined : caller.user.pk,
        username: queryText(query, 'user__username'),
        lastIp: queryText(query, 'last_ip'),
        search: queryText(query, 'search'),
        ordering,
      },
      this.clock.now(),
    );
    return paginated(page, count, rows.map((row) => this.presenter.present(row, caller.session?.uuid ?? null)));
  }

  /** Ends every session of the given users (admins) and returns how many ended. */
  @Delete('bulk_delete')
  async bulkDelete(@Query() query: Record<string, unknown>, @Caller() caller: ApiCaller, @Req() request: HttpRequestLike) {
    if (!caller.user.isSuperuser) throw new NotFoundException({ detail: 'Not found.' });
    const raw = queryText(query, 'user_pks');
    const pks = raw?.split(',').map((value) => Number(value.trim()));
    if (!pks || pks.some((pk) => !Number.isInteger(pk) || pk < 1)) {
      throw new BadRequestException({ user_pks: ['A comma-separated list of user pks is required, e.g. ?user_pks=1,2.'] });
    }
    const deleted = await this.terminator.terminateAllOf(pks, 'revoked_by_admin');
    await this.events.record({
      action: 'logout',
      app: 'idp.api',
      user: toEventUser(caller.user),
      clientIp: clientIp(request),
      context: { logout_reason: 'Sessions revoked by an administrator', user_pks: pks, sessions_ended: deleted, http_request: httpRequestContext(request) },
    });
    return { deleted };
  }

  @Get(':uuid')
  async get(@Param('uuid', UuidParam) uuid: string, @Caller() caller: ApiCaller) {
    const session = await this.visible(uuid, caller);
    return this.presenter.present(session, caller.session?.uuid ?? null);
  }

  @Delete(':uuid')
  @HttpCode(204)
  async remove(@Param('uuid', UuidParam) uuid: string, @Caller() caller: ApiCaller, @Req() request: HttpRequestLike) {
    const session = await this.visible(uuid, caller);
    const byOwner = session.userPk === caller.user.pk;
    if (!(await this.terminator.terminate(uuid, byOwner ? 'revoked_by_user' : 'revoked_by_admin'))) {
      throw new NotFoundException({ detail: 'Not found.' });
    }
    await this.events.record({
      action: 'logout',
      app: 'idp.api',
      user: toEventUser(session.user),
      clientIp: clientIp(request),
      context: {
        logout_reason: byOwner ? 'Session revoked by its user' : 'Session revoked by an administrator',
        session_uuid: uuid,
        revoked_by: toEventUser(caller.user),
        http_request: httpRequestContext(request),
      },
    });
  }

  private async visible(uuid: string, caller: ApiCaller) {
    const session = await this.sessions.findByUuid(uuid);
    if (!session || session.expires <= this.clock.now()) throw new NotFoundException({ detail: 'Not found.' });
    if (!caller.user.isSuperuser && session.userPk !== caller.user.pk) throw new NotFoundException({ detail: 'Not found.' });
    return session;
  }
}
