import { HttpException, HttpStatus } from '@nestjs/common';

/** The request's session broke its network or GeoIP binding and was terminated. */
export class SessionBindingBrokenException extends HttpException {
  readonly code = 'session_binding_broken';

  /** @param loginUrl where a browser navigation is sent instead of the 401 */
  constructor(readonly loginUrl: string) {
    super({ detail: 'Session binding broken', code: 'session_binding_broken' }, HttpStatus.UNAUTHORIZED);
  }
}

/** No valid session cookie on a request that needs one. */
export class NotAuthenticatedException extends HttpException {
  readonly code = 'not_authenticated';

  constructor() {
    super(
      { detail: 'Authentication credentials were not provided or are invalid.', code: 'not_authenticated' },
      HttpStatus.UNAUTHORIZED,
    );
  }
}
