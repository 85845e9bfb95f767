import { User } from '@idp/core';
import { describe, expect, it } from 'vitest';
import { Session } from '../persistence/session.entity.js';
import type { ActiveSession } from '../persistence/session.repository.js';
import { SessionCache } from './session-cache.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function entry(
  uuid: string,
  fields: { userPk?: number; stageUuid?: string; expires?: Date; idleExpires?: Date | null } = {},
): ActiveSession {
  const user = Object.assign(new User(), { pk: fields.userPk ?? 1, isActive: true });
  const session = Object.assign(new Session(), {
    uuid,
    userPk: user.pk,
    stageUuid: fields.stageUuid ?? 'stage-a',
    expires: fields.expires ?? new Date(NOW.getTime() + 60_000),
    idleExpires: fields.idleExpires ?? null,
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

  it('a hit needs both expiries ahead: past the idle expiry the database decides', () => {
    const sut = activeCache();
    const idle = entry('s1', { idleExpires: new Date(NOW.getTime() + 30_000) });
    sut.keep('h1', idle, sut.beginRead());
    expect(sut.get('h1', NOW)).toBe(idle);
    expect(sut.get('h1', new Date(NOW.getTime() + 29_999))).toBe(idle);
    expect(sut.get('h1', new Date(NOW.getTime() + 30_000))).toBeUndefined();
    // The absolute expiry still counts when the idle one is further away.
    const absolute = entry('s2', {
      expires: new Date(NOW.getTime() + 10_000),
      idleExpires: new Date(NOW.getTime() + 60_000),
    });
    sut.keep('h2', absolute, sut.beginRead());
    expect(sut.get('h2', new Date(NOW.getTime() + 10_000))).toBeUndefined();
    expect(sut.stats()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('refilling a cached session when full evicts nothing', () => {
    const sut = activeCache(2);
    sut.keep('h1', entry('s1'), sut.beginRead());
    sut.keep('h2', entry('s2'), sut.beginRead());
    const renewed = entry('s1', { expires: new Date(NOW.getTime() + 120_000) });
    sut.keep('h1', renewed, sut.beginRead());
    expect(sut.get('h1', NOW)).toBe(renewed);
    expect(sut.get('h2', NOW)).toBeDefined();
    expect(sut.stats().size).toBe(2);
  });

  it('says which sessions it holds, following fills, evictions and invalidations', () => {
    const sut = activeCache(1);
    expect(sut.holds('s1')).toBe(false);
    sut.keep('h1', entry('s1'), sut.beginRead());
    expect(sut.holds('s1')).toBe(true);
    sut.keep('h2', entry('s2'), sut.beginRead());
    expect([sut.holds('s1'), sut.holds('s2')]).toEqual([false, true]);
    sut.invalidateSessions(['s2']);
    expect(sut.holds('s2')).toBe(false);
  });

  it('counts invalidations: one per session uuid heard, one per user or stage', () => {
    const sut = activeCache();
    sut.keep('h1', entry('s1'), sut.beginRead());
    sut.invalidateSessions(['s1', 'not-cached']);
    expect(sut.stats().invalidations).toBe(2);
    sut.invalidateUser(9);
    sut.invalidateStage('stage-z');
    expect(sut.stats().invalidations).toBe(4);
  });

  it('a fill read before a user or stage invalidation is not kept', () => {
    for (const invalidate of [
      (sut: SessionCache) => sut.invalidateUser(9),
      (sut: SessionCache) => sut.invalidateStage('x'),
    ]) {
      const sut = activeCache();
      const read = sut.beginRead();
      invalidate(sut);
      sut.keep('h1', entry('s1'), read);
      expect(sut.get('h1', NOW)).toBeUndefined();
    }
  });

  it('reports whether it is on', () => {
    const sut = new SessionCache();
    expect(sut.active).toBe(false);
    sut.setActive(true);
    expect(sut.active).toBe(true);
  });

  it('every invalidation moves the read token forward: no two of them cancel out', () => {
    const steps: Array<(sut: SessionCache) => void> = [
      (sut) => sut.invalidateSessions(['s9']),
      (sut) => sut.invalidateUser(9),
      (sut) => sut.invalidateStage('stage-z'),
      (sut) => sut.clear(),
    ];
    for (const first of steps) {
      for (const second of steps) {
        const sut = activeCache();
        const read = sut.beginRead();
        first(sut);
        second(sut);
        sut.keep('h1', entry('s1'), read);
        expect(sut.holds('s1')).toBe(false);
      }
    }
  });
});
