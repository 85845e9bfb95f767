import type { HttpRequestLike } from '@idp/core';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActiveSession } from './persistence/session.repository.js';
import { UserLoginObservers, type BindingBreak, type UserLoginObserver } from './user-login.observers.js';

const request = { headers: {}, url: '/api/v3/core/users/me/' } as HttpRequestLike;
const found = { session: { uuid: 'session-1' }, user: { uuid: 'user-1' } } as unknown as ActiveSession;

/** An observer that writes down every call it hears, by method name. */
function recorder() {
  const heard: unknown[][] = [];
  const observer: Required<UserLoginObserver> = {
    bindingChecked: (result, session, on) => heard.push(['bindingChecked', result, session, on]),
    bindingBroken: (event, on) => heard.push(['bindingBroken', event, on]),
    bindingViolated: (event, on) => heard.push(['bindingViolated', event, on]),
    loginCompleted: (outcome, on) => heard.push(['loginCompleted', outcome, on]),
  };
  return { heard, observer };
}

/** Each notification once, in a fixed order. */
function notifyAll(observers: UserLoginObservers): void {
  observers.bindingChecked('kept', found, request);
  observers.bindingBroken('network.asn', found, '198.51.100.1', '203.0.113.9', request);
  observers.bindingViolated('geoip.country', found, '198.51.100.2', '203.0.113.8', request);
  observers.loginCompleted({ result: 'success', sessionUuid: 'session-1', userUuid: 'user-1' }, request);
}

const broken: BindingBreak = {
  reason: 'network.asn',
  sessionUuid: 'session-1',
  userUuid: 'user-1',
  previousIp: '198.51.100.1',
  newIp: '203.0.113.9',
};
const violated: BindingBreak = {
  reason: 'geoip.country',
  sessionUuid: 'session-1',
  userUuid: 'user-1',
  previousIp: '198.51.100.2',
  newIp: '203.0.113.8',
};

afterEach(() => vi.restoreAllMocks());

const fail = () => {
  throw new Error('observer down');
};

describe('UserLoginObservers', () => {
  it('tells every registered observer each notification, with the session and user uuids of the break and the request', () => {
    const observers = new UserLoginObservers();
    const first = recorder();
    const second = recorder();
    observers.add(first.observer);
    observers.add(second.observer);
    notifyAll(observers);
    const expected = [
      ['bindingChecked', 'kept', found, request],
      ['bindingBroken', broken, request],
      ['bindingViolated', violated, request],
      ['loginCompleted', { result: 'success', sessionUuid: 'session-1', userUuid: 'user-1' }, request],
    ];
    expect(first.heard).toEqual(expected);
    expect(second.heard).toEqual(expected);
  });

  it('stops telling an observer once its remove function is called, and keeps telling the others', () => {
    const observers = new UserLoginObservers();
    const kept = recorder();
    const removed = recorder();
    observers.add(kept.observer);
    const remove = observers.add(removed.observer);
    remove();
    notifyAll(observers);
    expect(removed.heard).toEqual([]);
    expect(kept.heard).toHaveLength(4);
  });

  it('skips the methods an observer leaves out, as nothing to report', () => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const observers = new UserLoginObservers();
    const full = recorder();
    observers.add({});
    observers.add(full.observer);
    expect(() => notifyAll(observers)).not.toThrow();
    expect(full.heard).toHaveLength(4);
    expect(errors).not.toHaveBeenCalled();
  });

  it('logs an observer that throws and goes on with the next one', () => {
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const observers = new UserLoginObservers();
    observers.add({ bindingChecked: fail, bindingBroken: fail, bindingViolated: fail, loginCompleted: fail });
    const after = recorder();
    observers.add(after.observer);
    expect(() => notifyAll(observers)).not.toThrow();
    expect(after.heard).toHaveLength(4);
    expect(errors.mock.calls.map(([message]) => message)).toEqual(
      Array(4).fill('user-login observer failed: Error: observer down'),
    );
  });
});
