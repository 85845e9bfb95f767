import { UserLoginObservers } from '@idp/user-login';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

/**
 * Puts the user and session uuid of each authenticated request on its log lines, and logs every
 * broken or (log-only mode) violated session binding with its reason.
 */
@Injectable()
export class SessionLogObserver implements OnModuleInit {
  private readonly logger = new Logger('SessionBinding');
  constructor(
    private readonly observers: UserLoginObservers,
    private readonly requestLog: PinoLogger,
  ) {}

  onModuleInit(): void {
    // Never removed: requests that finish while the server drains at shutdown are logged too.
    this.observers.add({
      bindingChecked: (_result, { session, user }) => this.assign(user.uuid, session.uuid),
      // The check that found the break already put the user and session on the request's lines.
      bindingBroken: (event) => this.logger.warn({ msg: 'session binding broken, session terminated', ...event }),
      bindingViolated: (event) => this.logger.warn({ msg: 'session binding violated (log-only mode)', ...event }),
      loginCompleted: ({ result, userUuid, sessionUuid }) => {
        if (userUuid) this.assign(userUuid, sessionUuid);
        this.logger.log({ msg: `login ${result}`, userUuid, sessionUuid });
      },
    });
  }

  private assign(user: string, session: string | undefined): void {
    try {
      this.requestLog.assign(session ? { user, session } : { user });
    } catch {
      // Outside a request (e.g. a job): there is no request line to add them to.
    }
  }
}
