import { StageHandlerRegistry, type StageContext, type StageHandler, type StageOutcome } from '@idp/flows';
import { SessionLogoutService } from '@idp/user-login';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/** Ends the browser's session (invalidation flows). */
@Injectable()
export class UserLogoutStageHandler implements StageHandler, OnModuleInit {
  readonly type = 'user_logout';

  constructor(
    private readonly registry: StageHandlerRegistry,
    private readonly logout: SessionLogoutService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async challenge(context: StageContext): Promise<StageOutcome> {
    await this.logout.logout(context.request, context.response);
    return { kind: 'next' };
  }

  submit(context: StageContext): Promise<StageOutcome> {
    return this.challenge(context);
  }
}
