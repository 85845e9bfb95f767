import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in attempts per (username, client IP), counted by the password stage's throttle. A row is
 * written before a password is checked and deleted again when it was right, so what stays is the
 * failures (and attempts whose outcome was never known).
 */
export class LoginAttempts1764300001000 implements MigrationInterface {
  name = 'LoginAttempts1764300001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE login_attempts (
      id bigserial PRIMARY KEY,
      username text NOT NULL,
      client_ip text NOT NULL,
      created timestamptz NOT NULL
    )`);
    await db.query(`CREATE INDEX login_attempts_ip_idx ON login_attempts (client_ip, created)`);
    await db.query(`CREATE INDEX login_attempts_user_ip_idx ON login_attempts (client_ip, username, created)`);
    await db.query(`CREATE INDEX login_attempts_created_idx ON login_attempts (created)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_attempts`);
  }
}
