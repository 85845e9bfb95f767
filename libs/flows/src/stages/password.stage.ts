import {
  CLOCK,
  clientIp,
  EventService,
  httpRequestContext,
  UserRepository,
  verifyPassword,
  type Clock,
} from '@idp/core';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FlowStageHandler } from '../executor/stage-handler.registry.js';
import {
  withErrors,
  type StageContext,
  type StageHandler,
  type StageOutcome,
} from '../executor/stage-handler.interface.js';
import { FLOWS_OPTIONS, type FlowsOptions } from '../flows-options.js';
import { PasswordStage } from '../persistence/stage-settings.entities.js';
import { LoginAttemptRepository } from '../throttle/login-attempt.repository.js';
import { retryAfterSeconds, throttleUsernameKey } from '../throttle/login-throttle.js';
import { SignInThrottledException } from '../throttle/sign-in-throttled.exception.js';

/**
 * Checks the pending user's password (argon2id); failures are logged as `login_failed`. Failures
 * are also counted per (typed username, client IP) and per client IP: over either budget the
 * stage answers 429 with `Retry-After` and checks no password, not even the right one.
 */
@Injectable()
@FlowStageHandler()
export class PasswordStageHandler implements StageHandler {
  readonly type = 'password';

  constructor(
    private readonly users: UserRepository,
    private readonly events: EventService,
    @InjectRepository(PasswordStage) private readonly settings: Repository<PasswordStage>,
    private readonly attempts: LoginAttemptRepository,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FLOWS_OPTIONS) private readonly options: FlowsOptions,
  ) {}

  async challenge(context: StageContext): Promise<StageOutcome> {
    return { kind: 'challenge', challenge: this.build(context) };
  }

  async submit(context: StageContext, body: Record<string, unknown>): Promise<StageOutcome> {
    const password = body.password;
    if (typeof password !== 'string' || password === '') {
      return withErrors(this.build(context), { password: [{ string: 'This field is required.', code: 'required' }] });
    }
    // Counted under the name as typed, for known and unknown users alike (no account oracle).
    const ip = clientIp(context.request);
    const now = this.clock.now();
    const username = throttleUsernameKey(context.execution.context.uid);
    const reservation = await this.attempts.reserve(username, ip, now, this.options.loginThrottle);
    if (!reservation.allowed) {
      const seconds = retryAfterSeconds(reservation.freesAt, now);
      this.adapterHost.httpAdapter.setHeader(context.response, 'Retry-After', String(seconds));
      throw new SignInThrottledException(seconds);
    }
    const user = await context.pendingUser();
    const stored = user ? await this.users.passwordHashOf(user.pk) : null;
    // verifyPassword spends the same time when there is no user, so timing reveals nothing.
    if (user && (await verifyPassword(stored, password))) {
      await this.attempts.release(reservation.id);
      context.execution.context = { ...context.execution.context, auth_method: 'password' };
      return { kind: 'next' };
    }
    if (!user) await verifyPassword(null, password);
    const failures = Number(context.execution.context.password_failures ?? 0) + 1;
    context.execution.context = { ...context.execution.context, password_failures: failures };
    await this.events.record({
      action: 'login_failed',
      app: 'idp.flows',
      user: user ? { pk: user.pk, username: user.username, email: user.email } : null,
      clientIp: ip,
      context: {
        username: String(context.execution.context.uid ?? ''),
        stage: context.stage.name,
        http_request: httpRequestContext(context.request),
      },
    });
    const settings = await this.settings.findOneBy({ stageUuid: context.stage.stageUuid });
    if (failures >= (settings?.failedAttemptsBeforeCancel ?? 5)) {
      return { kind: 'deny', message: 'Too many failed attempts. Start again.' };
    }
    return withErrors(this.build(context), { password: [{ string: 'Invalid password', code: 'invalid' }] });
  }

  private build(context: StageContext): Record<string, unknown> {
    return {
      component: 'ak-stage-password',
      pending_user: String(context.execution.context.uid ?? ''),
      pending_user_avatar: '',
    };
  }
}
