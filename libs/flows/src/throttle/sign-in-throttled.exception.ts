import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 from the password stage: too many failed passwords for this username and IP, or this IP. */
export class SignInThrottledException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      { detail: 'Too many failed sign-in attempts. Try again later.', code: 'throttled' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
