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
  // A cached session: the check answers without a promise.
  const auth = { authenticateNow: vi.fn((): ActiveSession | Promise<ActiveSession> => session) };
  const reflector = new Reflector();
  const reads = vi.spyOn(reflector, 'getAllAndOverride');
  return { sut: new SessionBindingGuard(auth as unknown as SessionAuthService, reflector), auth, reads, session };
}

describe('SessionBindingGuard', () => {
  it('lets a @Public() controller through without a session check, and checks the other one', async () => {
    const { sut, auth, session } = guard();
    expect(await sut.canActivate(contextOf(OpenController))).toBe(true);
    expect(auth.authenticateNow).not.toHaveBeenCalled();

    const request: Record<string, unknown> = {};
    expect(await sut.canActivate(contextOf(ClosedController, request))).toBe(true);
    expect(auth.authenticateNow).toHaveBeenCalledTimes(1);
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
    expect(auth.authenticateNow).toHaveBeenCalledTimes(1);
  });

  it('answers a plain true when the session check had nothing to wait for, so Nest need not await it', () => {
    const { sut, session } = guard();
    const request: Record<string, unknown> = {};
    expect(sut.canActivate(contextOf(ClosedController, request))).toBe(true);
    expect(request[AUTHENTICATED_SESSION]).toBe(session);
  });

  it('waits for a check that reads the database, and passes its refusal on', async () => {
    const { sut, auth, session } = guard();
    auth.authenticateNow.mockReturnValueOnce(Promise.resolve(session));
    const request: Record<string, unknown> = {};
    const answer = sut.canActivate(contextOf(ClosedController, request));
    expect(answer).toBeInstanceOf(Promise);
    expect(request[AUTHENTICATED_SESSION]).toBeUndefined();
    expect(await answer).toBe(true);
    expect(request[AUTHENTICATED_SESSION]).toBe(session);

    const refused = new Error('not authenticated');
    auth.authenticateNow.mockReturnValueOnce(Promise.reject(refused));
    const other: Record<string, unknown> = {};
    await expect(sut.canActivate(contextOf(ClosedController, other))).rejects.toBe(refused);
    expect(other[AUTHENTICATED_SESSION]).toBeUndefined();
  });
});
