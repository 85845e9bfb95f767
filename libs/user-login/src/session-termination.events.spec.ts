import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionTerminationHooks, type SessionTerminated } from './session-termination.events.js';

const first: SessionTerminated = { sessionUuid: 'session-1', userPk: 1, reason: 'logout' };
const second: SessionTerminated = { sessionUuid: 'session-2', userPk: 1, reason: 'revoked_by_admin' };

describe('SessionTerminationHooks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('tells each listener about each event; an unsubscribed listener hears nothing more', async () => {
    const hooks = new SessionTerminationHooks();
    const heardA: string[] = [];
    const heardB: string[] = [];
    const stopA = hooks.subscribe((event) => void heardA.push(event.sessionUuid));
    hooks.subscribe((event) => void heardB.push(event.sessionUuid));
    await hooks.emit([first]);
    stopA();
    await hooks.emit([second]);
    expect(heardA).toEqual(['session-1']);
    expect(heardB).toEqual(['session-1', 'session-2']);
  });

  it('one event at a time: an async listener finishes with an event before anyone hears the next', async () => {
    const hooks = new SessionTerminationHooks();
    const trace: string[] = [];
    hooks.subscribe(async (event) => {
      trace.push(`slow start ${event.sessionUuid}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      trace.push(`slow end ${event.sessionUuid}`);
    });
    hooks.subscribe((event) => void trace.push(`fast ${event.sessionUuid}`));
    await hooks.emit([first, second]);
    expect(trace).toEqual([
      'slow start session-1',
      'slow end session-1',
      'fast session-1',
      'slow start session-2',
      'slow end session-2',
      'fast session-2',
    ]);
  });

  it('a listener that throws or rejects is logged with the session and the error; the others still hear the event', async () => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const hooks = new SessionTerminationHooks();
    const heard: string[] = [];
    hooks.subscribe(() => {
      throw new Error('refresh token store down');
    });
    hooks.subscribe(async () => Promise.reject(new Error('queue full')));
    hooks.subscribe((event) => void heard.push(event.sessionUuid));
    await expect(hooks.emit([first])).resolves.toBeUndefined();
    expect(heard).toEqual(['session-1']);
    expect(errors.mock.calls.map((call) => call[0])).toEqual([
      'session-terminated listener failed for session-1: Error: refresh token store down',
      'session-terminated listener failed for session-1: Error: queue full',
    ]);
  });
});
