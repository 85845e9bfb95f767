import { UserLoginObservers } from '@idp/user-login';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { assignRequestUser } from './request-log-context.js';

/**
 * Puts the user and session uuid of each authenticated request on its log lines, and logs every
 * broken or (log-only mode) violated session binding with its reason.
 */
@Injectable()
export class SessionLogObserver implements OnModuleInit {
  private readonly logger = new Logger('SessionBinding');
  constructor(private readonly observers: UserLoginObservers) {}

  onModuleInit(): void {
    // Never removed: requests that finish while the server drains at shutdown are logged too.
    this.observers.add({
      bindingChecked: (_result, { session, user }) => assignRequestUser(user.uuid, session.uuid),
      // The check that found the break already put the user and session on the request's lines.
      bindingBroken: (event) => this.logger.warn({ msg: 'session binding broken, session terminated', ...event }),
      bindingViolated: (event) => this.logger.warn({ msg: 'session binding violated (log-only mode)', ...event }),
      loginCompleted: ({ result, userUuid, sessionUuid }) => {
        if (userUuid) assignRequestUser(userUuid, sessionUuid);
        this.logger.log({ msg: `login ${result}`, userUuid, sessionUuid });
      },
    });
  }
}
