import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionActivity, SessionRepository } from '../persistence/session.repository.js';
import { resolveUserLoginOptions } from '../user-login-options.interface.js';
import { SessionActivityWriter } from './session-activity.writer.js';

const T1 = new Date('2026-01-01T12:00:00Z');
const T2 = new Date('2026-01-01T12:00:05Z');

describe('SessionActivityWriter', () => {
  // What reached the database, one array per statement. The repository is a recorder: the SQL
  // itself (newest wins, no resurrection) is tested against PostgreSQL in session-cache.e2e-spec.ts.
  let written: SessionActivity[][];
  let failNext: number;
  const sessions = {
    writeActivity: vi.fn(async (batch: SessionActivity[]) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('connection refused');
      }
      written.push(batch);
    }),
  };
  const writer = (activityFlushMs: number) =>
    new SessionActivityWriter(sessions as unknown as SessionRepository, resolveUserLoginOptions({ activityFlushMs }));

  beforeEach(() => {
    written = [];
    failNext = 0;
    sessions.writeActivity.mockClear();
    // The writer's timers run on this clock, moved by the tests.
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues changes per session, merged, and writes them in one statement after activityFlushMs', async () => {
    const sut = writer(1000);
    // Queued: nothing to wait for, so no promise.
    expect(sut.record('s1', { lastIp: '198.51.100.1', lastUsed: T1 })).toBeUndefined();
    await sut.record('s2', { lastUsed: T1 });
    await sut.record('s1', { lastUserAgent: 'agent/2', lastUsed: T2 });
    expect(sut.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([
      [
        { uuid: 's1', lastIp: '198.51.100.1', lastUserAgent: 'agent/2', lastUsed: T2 },
        { uuid: 's2', lastUsed: T1 },
      ],
    ]);
    expect(sut.queued).toBe(0);
  });

  it('one timer per flush: later changes do not postpone the write', async () => {
    const sut = writer(1000);
    await sut.record('s1', { lastUsed: T1 });
    await vi.advanceTimersByTimeAsync(600);
    await sut.record('s2', { lastUsed: T1 });
    await vi.advanceTimersByTimeAsync(400);
    expect(written).toHaveLength(1);
    expect(written[0].map((change) => change.uuid)).toEqual(['s1', 's2']);
    // After a flush the next change starts a new timer.
    await sut.record('s3', { lastUsed: T2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(written).toEqual([written[0], [{ uuid: 's3', lastUsed: T2 }]]);
  });

  it('writes at once, with what was queued for the session, when the change renews an expiry', async () => {
    const sut = writer(1000);
    await sut.record('s1', { lastIp: '198.51.100.1', lastUsed: T1 });
    await sut.record('s2', { lastUsed: T1 });
    await sut.record('s1', { expires: T2 });
    expect(written).toEqual([[{ uuid: 's1', lastIp: '198.51.100.1', lastUsed: T1, expires: T2 }]]);
    await sut.record('s3', { lastUsed: T1 });
    await sut.record('s3', { idleExpires: T2 });
    expect(written[1]).toEqual([{ uuid: 's3', lastUsed: T1, idleExpires: T2 }]);
    // Only s2 is left for the timer.
    expect(sut.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(written[2]).toEqual([{ uuid: 's2', lastUsed: T1 }]);
  });

  it('an idle expiry set back to none (null) is not a renewal: it waits like any change', async () => {
    const sut = writer(1000);
    await sut.record('s1', { lastUsed: T1, idleExpires: null });
    expect(written).toEqual([]);
    expect(sut.queued).toBe(1);
  });

  it('with activityFlushMs 0 every change is written at once', async () => {
    const sut = writer(0);
    const writing = sut.record('s1', { lastUsed: T1 });
    expect(writing).toBeInstanceOf(Promise);
    await writing;
    expect(written).toEqual([[{ uuid: 's1', lastUsed: T1 }]]);
    expect(sut.queued).toBe(0);
  });

  it('forgets what is queued for ended sessions', async () => {
    const sut = writer(1000);
    await sut.record('s1', { lastUsed: T1 });
    await sut.record('s2', { lastUsed: T1 });
    await sut.record('s3', { lastUsed: T1 });
    sut.forget(['s1', 's3']);
    expect(sut.queued).toBe(1);
    await sut.flush();
    expect(written).toEqual([[{ uuid: 's2', lastUsed: T1 }]]);
  });

  it('flush writes at once and cancels the timer; with nothing queued it writes nothing', async () => {
    const sut = writer(1000);
    await sut.flush();
    expect(sessions.writeActivity).not.toHaveBeenCalled();
    await sut.record('s1', { lastUsed: T1 });
    await sut.flush();
    expect(written).toEqual([[{ uuid: 's1', lastUsed: T1 }]]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sessions.writeActivity).toHaveBeenCalledTimes(1);
  });

  it('writes what is queued before the application shuts down', async () => {
    const sut = writer(1000);
    await sut.record('s1', { lastUsed: T1 });
    await sut.beforeApplicationShutdown();
    expect(written).toEqual([[{ uuid: 's1', lastUsed: T1 }]]);
  });

  it('a failed write is queued again, newer changes winning, and retried after at least a second', async () => {
    const sut = writer(100);
    await sut.record('s1', { lastIp: '198.51.100.1', lastUsed: T1 });
    await sut.record('s2', { lastUsed: T1 });
    failNext = 1;
    await sut.flush();
    expect(written).toEqual([]);
    expect(sut.queued).toBe(2);
    // A change that came while the failed statement was out is newer than the one it carried.
    await sut.record('s1', { lastUsed: T2 });
    await vi.advanceTimersByTimeAsync(999);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([
      [
        { uuid: 's1', lastIp: '198.51.100.1', lastUsed: T2 },
        { uuid: 's2', lastUsed: T1 },
      ],
    ]);
  });

  it('the retry waits activityFlushMs when that is longer than a second', async () => {
    const sut = writer(3000);
    await sut.record('s1', { lastUsed: T1 });
    failNext = 1;
    await sut.flush();
    await vi.advanceTimersByTimeAsync(2999);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([[{ uuid: 's1', lastUsed: T1 }]]);
  });

  it('a database that stays away does not make the queue grow past 200,000 sessions', async () => {
    const sut = writer(1000);
    for (let i = 0; i < 200_000; i++) await sut.record(`s${i}`, { lastUsed: T1 });
    await sut.record('one-more', { lastUsed: T1 });
    expect(sut.queued).toBe(200_000);
    // A session already queued still takes its newer change.
    await sut.record('s0', { lastUsed: T2 });
    expect(sut.queued).toBe(200_000);
    await sut.flush();
    expect(written[0][0]).toEqual({ uuid: 's0', lastUsed: T2 });
    expect(written[0].some((change) => change.uuid === 'one-more')).toBe(false);
  });
});
