import { FlowStageHandler, type StageContext, type StageHandler, type StageOutcome } from '@idp/flows';
import { SessionLogoutService } from '@idp/user-login';
import { Injectable } from '@nestjs/common';

/** Ends the browser's session (invalidation flows). */
@Injectable()
@FlowStageHandler()
export class UserLogoutStageHandler implements StageHandler {
  readonly type = 'user_logout';

  constructor(private readonly logout: SessionLogoutService) {}

  async challenge(context: StageContext): Promise<StageOutcome> {
    await this.logout.logout(context.request, context.response);
    return { kind: 'next' };
  }

  submit(context: StageContext): Promise<StageOutcome> {
    return this.challenge(context);
  }
}
