import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isOverLimit, type LoginThrottleLimits } from './login-throttle.js';

/** The outcome of asking for one attempt: a reserved row, or when the earliest slot frees. */
export type Reservation = { allowed: true; id: string } | { allowed: false; freesAt: Date };

/** The window as one snapshot saw it: the counts, and the attempt that filled each budget. */
interface WindowRow {
  user_and_ip: number;
  ip: number;
  user_and_ip_nth: Date | null;
  ip_nth: Date | null;
}

/**
 * The only place that queries `login_attempts`. Counting lives in PostgreSQL so that every
 * instance of the server, and a restarted one, sees the same budget.
 */
@Injectable()
export class LoginAttemptRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts the attempts in the window and, when both budgets allow one more, records it, all
   * under a per-IP advisory lock: parallel requests from one IP queue here instead of all
   * reading the same count and all going ahead.
   */
  reserve(username: string, clientIp: string, now: Date, limits: LoginThrottleLimits): Promise<Reservation> {
    const since = new Date(now.getTime() - limits.windowMs);
    return this.dataSource.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login_attempts:${clientIp}`]);
      // One statement, so one snapshot: `release()` does not take the lock, and a right password
      // deleting its attempt between two reads made the "when does a slot free" read come back
      // empty (a 500 under parallel sign-ins).
      const [window]: WindowRow[] = await db.query(
        `WITH recent AS (
           SELECT username, created FROM login_attempts WHERE client_ip = $2 AND created > $3)
         SELECT (SELECT count(*) FROM recent WHERE username = $1)::int AS user_and_ip,
                (SELECT count(*) FROM recent)::int AS ip,
                (SELECT created FROM recent WHERE username = $1
                  ORDER BY created DESC OFFSET $4 LIMIT 1) AS user_and_ip_nth,
                (SELECT created FROM recent ORDER BY created DESC OFFSET $5 LIMIT 1) AS ip_nth`,
        [username, clientIp, since, limits.perUserAndIp - 1, limits.perIp - 1],
      );
      const over = isOverLimit({ userAndIp: window.user_and_ip, ip: window.ip }, limits);
      if (over.userAndIp || over.ip) {
        // A slot frees when the attempt that filled the budget leaves the window.
        const filledAt = [over.userAndIp && window.user_and_ip_nth, over.ip && window.ip_nth]
          .filter((created): created is Date => created instanceof Date)
          .map((created) => created.getTime());
        return { allowed: false, freesAt: new Date(Math.max(...filledAt) + limits.windowMs) };
      }
      const [row] = await db.query(
        'INSERT INTO login_attempts (username, client_ip, created) VALUES ($1, $2, $3) RETURNING id',
        [username, clientIp, now],
      );
      return { allowed: true, id: String(row.id) };
    });
  }

  /** Forgets a reserved attempt (the password was right: it was no failure). */
  async release(id: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_attempts WHERE id = $1', [id]);
  }

  /** Deletes up to `batchSize` attempts older than `before`; rows another transaction holds are skipped. */
  async deleteOlderThan(before: Date, batchSize: number): Promise<number> {
    const result = await this.dataSource.query(
      `DELETE FROM login_attempts WHERE id IN (
         SELECT id FROM login_attempts WHERE created <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, batchSize],
    );
    return result[1] ?? 0;
  }
}
