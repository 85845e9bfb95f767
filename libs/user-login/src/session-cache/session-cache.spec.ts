import { User } from '@idp/core';
import { describe, expect, it } from 'vitest';
import { Session } from '../persistence/session.entity.js';
import type { ActiveSession } from '../persistence/session.repository.js';
import { SessionCache } from './session-cache.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function entry(uuid: string, fields: { userPk?: number; stageUuid?: string; expires?: Date } = {}): ActiveSession {
  const user = Object.assign(new User(), { pk: fields.userPk ?? 1, isActive: true });
  const session = Object.assign(new Session(), {
    uuid,
    userPk: user.pk,
    stageUuid: fields.stageUuid ?? 'stage-a',
    expires: fields.expires ?? new Date(NOW.getTime() + 60_000),
  });
  return { session, user };
}

function activeCache(max?: number): SessionCache {
  const sut = new SessionCache(max);
  sut.setActive(true);
  return sut;
}

describe('SessionCache', () => {
  it('answers nothing while off (listener down), and counts the bypass', () => {
    const sut = new SessionCache();
    sut.keep('h1', entry('s1'), sut.beginRead());
    expect(sut.get('h1', NOW)).toBeUndefined();
    expect(sut.stats()).toMatchObject({ bypassed: 1, size: 0 });
  });

  it('keeps a database answer and returns it until it expires', () => {
    const sut = activeCache();
    const found = entry('s1');
    sut.keep('h1', found, sut.beginRead());
    expect(sut.get('h1', NOW)).toBe(found);
    expect(sut.get('h1', new Date(NOW.getTime() + 60_000))).toBeUndefined();
    expect(sut.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('does not keep an answer read while an invalidation arrived (the session may have ended during the read)', () => {
    const sut = activeCache();
    const read = sut.beginRead();
    sut.invalidateSessions(['some-other-session']);
    sut.keep('h1', entry('s1'), read);
    expect(sut.get('h1', NOW)).toBeUndefined();
    expect(sut.stats().discardedFills).toBe(1);
  });

  it('does not keep an answer read across a listener restart', () => {
    const sut = activeCache();
    const read = sut.beginRead();
    sut.setActive(false);
    sut.setActive(true);
    sut.keep('h1', entry('s1'), read);
    expect(sut.get('h1', NOW)).toBeUndefined();
  });

  it('forgets sessions by uuid, by user and by stage, and everything when switched off', () => {
    const sut = activeCache();
    sut.keep('h1', entry('s1', { userPk: 1 }), sut.beginRead());
    sut.keep('h2', entry('s2', { userPk: 2 }), sut.beginRead());
    sut.keep('h3', entry('s3', { userPk: 3, stageUuid: 'stage-b' }), sut.beginRead());
    sut.keep('h4', entry('s4', { userPk: 4 }), sut.beginRead());
    sut.invalidateSessions(['s1']);
    sut.invalidateUser(2);
    sut.invalidateStage('stage-b');
    expect(['h1', 'h2', 'h3', 'h4'].map((hash) => sut.get(hash, NOW) !== undefined)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    sut.setActive(false);
    sut.setActive(true);
    expect(sut.get('h4', NOW)).toBeUndefined();
  });

  it('drops the oldest entry when full', () => {
    const sut = activeCache(2);
    sut.keep('h1', entry('s1'), sut.beginRead());
    sut.keep('h2', entry('s2'), sut.beginRead());
    sut.keep('h3', entry('s3'), sut.beginRead());
    expect(sut.stats().size).toBe(2);
    expect(sut.get('h1', NOW)).toBeUndefined();
    expect(sut.get('h3', NOW)).toBeDefined();
    // The uuid index follows: invalidating the dropped session's uuid touches nothing else.
    sut.invalidateSessions(['s1']);
    expect(sut.stats().size).toBe(2);
  });
});
