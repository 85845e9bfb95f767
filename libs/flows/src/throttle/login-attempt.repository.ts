import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isOverLimit, type LoginThrottleLimits } from './login-throttle.js';

/** The outcome of asking for one attempt: a reserved row, or when the earliest slot frees. */
export type Reservation = { allowed: true; id: string } | { allowed: false; freesAt: Date };

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
      const [counts] = await db.query(
        `SELECT count(*) FILTER (WHERE username = $1)::int AS user_and_ip, count(*)::int AS ip
           FROM login_attempts WHERE client_ip = $2 AND created > $3`,
        [username, clientIp, since],
      );
      const over = isOverLimit({ userAndIp: counts.user_and_ip, ip: counts.ip }, limits);
      if (over.userAndIp || over.ip) {
        // A slot frees when the attempt that filled the budget leaves the window.
        const frees: Date[] = [];
        if (over.userAndIp) {
          frees.push(await this.nthNewest(db, [username, clientIp, since, limits.perUserAndIp - 1], true, limits));
        }
        if (over.ip) frees.push(await this.nthNewest(db, [clientIp, since, limits.perIp - 1], false, limits));
        return { allowed: false, freesAt: new Date(Math.max(...frees.map((d) => d.getTime()))) };
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

  private async nthNewest(
    db: { query(sql: string, params: unknown[]): Promise<Array<{ created: Date }>> },
    params: unknown[],
    perUser: boolean,
    limits: LoginThrottleLimits,
  ): Promise<Date> {
    const rows = perUser
      ? await db.query(
          `SELECT created FROM login_attempts WHERE username = $1 AND client_ip = $2 AND created > $3
            ORDER BY created DESC OFFSET $4 LIMIT 1`,
          params,
        )
      : await db.query(
          `SELECT created FROM login_attempts WHERE client_ip = $1 AND created > $2
            ORDER BY created DESC OFFSET $3 LIMIT 1`,
          params,
        );
    return new Date(new Date(rows[0].created).getTime() + limits.windowMs);
  }
}
