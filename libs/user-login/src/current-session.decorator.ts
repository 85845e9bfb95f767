import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AUTHENTICATED_SESSION, type RequestWithSession } from './session-binding.guard.js';

/** The session (and user) that {@link SessionBindingGuard} authenticated for this request. */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<RequestWithSession>()[AUTHENTICATED_SESSION];
});
