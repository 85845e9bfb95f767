import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CurrentSession } from '../current-session.decorator.js';
import type { ActiveSession } from '../persistence/session.repository.js';
import { Public, SessionBindingGuard } from '../session-binding.guard.js';
import { DBSC_REFRESH_PATH, DBSC_REGISTER_PATH, DeviceBoundSessionService } from './device-bound-session.service.js';

/** The two DBSC endpoints browsers call by themselves: key registration and cookie refresh. */
@Controller()
export class DbscController {
  constructor(
    private readonly dbsc: DeviceBoundSessionService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Binds the browser's key to the session the request is signed in with. */
  @Post(DBSC_REGISTER_PATH)
  @HttpCode(200)
  @UseGuards(SessionBindingGuard)
  register(
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
    @CurrentSession() found: ActiveSession,
  ) {
    return this.dbsc.register(request, response, found);
  }

  /**
   * Challenge, proof, new bound cookie; `{"continue": false}` once the session has ended.
   * Open under a host's global `SessionBindingGuard`: the browser calls it when its bound cookie
   * has expired, which the session check refuses; the proof by the device's key is the check here.
   */
  @Public()
  @Post(DBSC_REFRESH_PATH)
  async refresh(@Req() request: HttpRequestLike, @Res() response: HttpResponseLike): Promise<void> {
    const answer = await this.dbsc.refresh(request, response);
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(answer.headers ?? {})) adapter.setHeader(response, name, value);
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    if (answer.body) adapter.reply(response, answer.body, answer.status);
    else adapter.reply(response, '', answer.status);
  }
}
