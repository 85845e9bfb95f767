import { UserLoginObservers } from '@idp/user-login';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { assignRequestUser, requestLogOf } from './request-log-context.js';

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
      bindingChecked: (_result, { session, user }, request) => assignRequestUser(request, user.uuid, session.uuid),
      // The check that found the break already put the user and session on the request's fields.
      bindingBroken: (event, request) =>
        this.logger.warn({ ...requestLogOf(request), msg: 'session binding broken, session terminated', ...event }),
      bindingViolated: (event, request) =>
        this.logger.warn({ ...requestLogOf(request), msg: 'session binding violated (log-only mode)', ...event }),
      loginCompleted: ({ result, userUuid, sessionUuid }, request) => {
        if (userUuid) assignRequestUser(request, userUuid, sessionUuid);
        this.logger.log({ ...requestLogOf(request), msg: `login ${result}`, userUuid, sessionUuid });
      },
    });
  }
}
