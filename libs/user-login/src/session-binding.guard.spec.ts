import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import type { ActiveSession } from './persistence/session.repository.js';
import type { SessionAuthService } from './session-auth.service.js';
import { AUTHENTICATED_SESSION, Public, SessionBindingGuard } from './session-binding.guard.js';

class Base {
  list(): void {}
}
// Two controllers sharing one inherited handler; only one of them is public.
@Public()
class OpenController extends Base {}
class ClosedController extends Base {}

function contextOf(controller: object, request: Record<string, unknown> = {}): ExecutionContext {
  return {
    getHandler: () => Base.prototype.list,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
}

function guard() {
  const session = { session: { uuid: 's' } } as unknown as ActiveSession;
  const auth = { authenticate: vi.fn(async () => session) };
  const reflector = new Reflector();
  const reads = vi.spyOn(reflector, 'getAllAndOverride');
  return { sut: new SessionBindingGuard(auth as unknown as SessionAuthService, reflector), auth, reads, session };
}

describe('SessionBindingGuard', () => {
  it('lets a @Public() controller through without a session check, and checks the other one', async () => {
    const { sut, auth, session } = guard();
    expect(await sut.canActivate(contextOf(OpenController))).toBe(true);
    expect(auth.authenticate).not.toHaveBeenCalled();

    const request: Record<string, unknown> = {};
    expect(await sut.canActivate(contextOf(ClosedController, request))).toBe(true);
    expect(auth.authenticate).toHaveBeenCalledTimes(1);
    expect(request[AUTHENTICATED_SESSION]).toBe(session);
  });

  it('reads a route metadata once per handler and controller, however many requests follow', async () => {
    const { sut, reads } = guard();
    for (let i = 0; i < 3; i++) {
      await sut.canActivate(contextOf(OpenController));
      await sut.canActivate(contextOf(ClosedController));
    }
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('checks the session once when the request already carries it (global and route guard together)', async () => {
    const { sut, auth } = guard();
    const request: Record<string, unknown> = {};
    await sut.canActivate(contextOf(ClosedController, request));
    await sut.canActivate(contextOf(ClosedController, request));
    expect(auth.authenticate).toHaveBeenCalledTimes(1);
  });
});
