import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { API_CALLER, type ApiCaller } from './api-auth.guard.js';

/** The caller {@link ApiAuthGuard} authenticated. */
export const Caller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiCaller => context.switchToHttp().getRequest()[API_CALLER],
);
