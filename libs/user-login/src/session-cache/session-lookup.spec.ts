import { User } from '@idp/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../persistence/session.entity.js';
import type { ActiveSession, SessionRepository } from '../persistence/session.repository.js';
import { SessionCache } from './session-cache.js';
import { SessionLookup } from './session-lookup.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function entry(uuid: string): ActiveSession {
  const user = Object.assign(new User(), { pk: 1, isActive: true });
  const session = Object.assign(new Session(), { uuid, userPk: 1, expires: new Date(NOW.getTime() + 60_000) });
  return { session, user };
}

describe('SessionLookup', () => {
  let row: ActiveSession | null;
  // Stands in for the SQL only (tested against PostgreSQL in the e2e suites): what the database answers.
  const sessions = { findActiveByTokenHash: vi.fn(async () => row) };
  let cache: SessionCache;
  let sut: SessionLookup;

  beforeEach(() => {
    sessions.findActiveByTokenHash.mockClear();
    row = entry('s1');
    cache = new SessionCache();
    cache.setActive(true);
    sut = new SessionLookup(sessions as unknown as SessionRepository, cache);
  });

  it('reads the database once, then answers from the cache without a query', async () => {
    const first = await sut.findActiveByTokenHash('h1', NOW);
    expect(first).toBe(row);
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledWith('h1', NOW);
    // Gone from the database, still cached: the cached answer is what comes back (until an invalidation).
    row = null;
    await expect(sut.findActiveByTokenHash('h1', NOW)).resolves.toBe(first);
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledTimes(1);
  });

  it('caches no miss: an unknown token asks the database every time', async () => {
    row = null;
    await expect(sut.findActiveByTokenHash('h1', NOW)).resolves.toBeNull();
    expect(cache.stats().size).toBe(0);
    await expect(sut.findActiveByTokenHash('h1', NOW)).resolves.toBeNull();
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledTimes(2);
  });

  it('does not keep an answer when an invalidation arrived during the read', async () => {
    sessions.findActiveByTokenHash.mockImplementationOnce(async () => {
      cache.invalidateSessions(['s1']);
      return row;
    });
    await expect(sut.findActiveByTokenHash('h1', NOW)).resolves.toBe(row);
    expect(cache.holds('s1')).toBe(false);
  });

  it('cached answers from memory only: undefined before the first read, never a query', async () => {
    expect(sut.cached('h1', NOW)).toBeUndefined();
    expect(sessions.findActiveByTokenHash).not.toHaveBeenCalled();
    const read = await sut.findActiveByTokenHash('h1', NOW);
    expect(sut.cached('h1', NOW)).toBe(read);
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledTimes(1);
  });
});
