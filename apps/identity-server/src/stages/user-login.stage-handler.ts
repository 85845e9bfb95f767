import { FlowStageHandler, withErrors, type StageContext, type StageHandler, type StageOutcome } from '@idp/flows';
import { parseDuration, sessionLifetime, UserLoginStageService, type UserLoginStage } from '@idp/user-login';
import { Injectable } from '@nestjs/common';

/** Runs the User Login stage inside a flow: the optional "Stay signed in?" prompt, then the login. */
@Injectable()
@FlowStageHandler()
export class UserLoginStageHandler implements StageHandler {
  readonly type = 'user_login';

  constructor(private readonly login: UserLoginStageService) {}

  challenge(context: StageContext): Promise<StageOutcome> {
    return this.run(context, undefined);
  }

  submit(context: StageContext, body: Record<string, unknown>): Promise<StageOutcome> {
    return this.run(context, body);
  }

  /** GET (no body) shows the prompt; POST answers it. A stage that does not prompt logs in on either. */
  private async run(context: StageContext, body: Record<string, unknown> | undefined): Promise<StageOutcome> {
    const stage = await this.login.findStage(context.stage.stageUuid);
    if (!stage) return { kind: 'deny', message: 'This login stage is not configured.' };
    // Checked on every step: the user may have been deactivated while the question was on screen.
    const denied = await this.deniedReason(context);
    if (denied) return { kind: 'deny', message: denied };
    if (!this.login.prompts(stage)) return this.finish(context, stage, undefined);
    if (body === undefined) return { kind: 'challenge', challenge: await this.prompt(context, stage) };
    if (!('remember_me' in body)) {
      return withErrors(await this.prompt(context, stage), {
        remember_me: [{ string: 'This field is required.', code: 'required' }],
      });
    }
    if (typeof body.remember_me !== 'boolean') {
      return withErrors(await this.prompt(context, stage), {
        remember_me: [{ string: 'Must be a valid boolean.', code: 'invalid' }],
      });
    }
    return this.finish(context, stage, body.remember_me);
  }

  private async finish(
    context: StageContext,
    stage: UserLoginStage,
    rememberMe: boolean | undefined,
  ): Promise<StageOutcome> {
    const result = await this.login.login({
      request: context.request,
      response: context.response,
      stage,
      pendingUser: await context.pendingUser(),
      rememberMe,
      authMethod:
        typeof context.execution.context.auth_method === 'string' ? context.execution.context.auth_method : undefined,
    });
    return result.outcome === 'denied' ? { kind: 'deny', message: result.message } : { kind: 'next' };
  }

  private async deniedReason(context: StageContext): Promise<string | null> {
    const user = await context.pendingUser();
    if (!user) return 'No pending user.';
    if (!user.isActive) return 'This account is disabled. Ask an administrator to enable it.';
    return null;
  }

  /**
   * The "Stay signed in?" challenge. Besides authentik's fields it says how long each answer
   * keeps the person signed in (`session_seconds` for No, 0 = until the browser closes;
   * `remember_me_seconds` for Yes), so the question can name the time.
   */
  private async prompt(context: StageContext, stage: UserLoginStage): Promise<Record<string, unknown>> {
    const user = await context.pendingUser();
    const seconds = (rememberMe: boolean) => {
      const lifetime = sessionLifetime({
        sessionDurationMs: parseDuration(stage.sessionDuration),
        rememberMeOffsetMs: parseDuration(stage.rememberMeOffset),
        rememberMe,
      });
      return lifetime.kind === 'browser' ? 0 : lifetime.maxAgeSeconds;
    };
    return {
      component: 'ak-stage-user-login',
      pending_user: user?.username ?? '',
      pending_user_avatar: '',
      session_seconds: seconds(false),
      remember_me_seconds: seconds(true),
    };
  }
}
