import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, API tokens, the audit log and the common stages table. */
export class CoreSchema1764200000000 implements MigrationInterface {
  name = 'CoreSchema1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE users (
      pk serial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      username text NOT NULL UNIQUE,
      name text NOT NULL DEFAULT '',
      email text NOT NULL DEFAULT '',
      password text,
      is_active boolean NOT NULL DEFAULT true,
      is_superuser boolean NOT NULL DEFAULT false,
      last_login timestamptz,
      date_joined timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX users_email_idx ON users (email)`);
    await db.query(`CREATE TABLE api_tokens (
      token_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      identifier text NOT NULL UNIQUE,
      key_hash text NOT NULL UNIQUE,
      user_pk integer NOT NULL REFERENCES users (pk) ON DELETE CASCADE,
      expires timestamptz,
      created timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE events (
      event_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      action text NOT NULL,
      app text NOT NULL,
      "user" jsonb NOT NULL DEFAULT '{}',
      context jsonb NOT NULL DEFAULT '{}',
      client_ip text,
      created timestamptz NOT NULL DEFAULT now(),
      expires timestamptz NOT NULL
    )`);
    await db.query(`CREATE INDEX events_created_idx ON events (created DESC)`);
    await db.query(`CREATE INDEX events_action_created_idx ON events (action, created DESC)`);
    await db.query(`CREATE INDEX events_expires_idx ON events (expires)`);
    await db.query(`CREATE INDEX events_username_idx ON events (("user"->>'username'))`);
    await db.query(`CREATE TABLE stages (
      stage_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      type text NOT NULL
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stages`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP TABLE api_tokens`);
    await db.query(`DROP TABLE users`);
  }
}
