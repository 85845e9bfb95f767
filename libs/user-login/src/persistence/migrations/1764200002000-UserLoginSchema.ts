import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The User Login stage's settings and the sessions it creates. */
export class UserLoginSchema1764200002000 implements MigrationInterface {
  name = 'UserLoginSchema1764200002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE user_login_stages (
      stage_uuid uuid PRIMARY KEY REFERENCES stages (stage_uuid) ON DELETE CASCADE,
      session_duration text NOT NULL DEFAULT 'seconds=0',
      remember_me_offset text NOT NULL DEFAULT 'seconds=0',
      network_binding text NOT NULL DEFAULT 'no_binding'
        CHECK (network_binding IN ('no_binding', 'bind_asn', 'bind_asn_network', 'bind_asn_network_ip')),
      geoip_binding text NOT NULL DEFAULT 'no_binding'
        CHECK (geoip_binding IN ('no_binding', 'bind_continent', 'bind_continent_country', 'bind_continent_country_city')),
      terminate_other_sessions boolean NOT NULL DEFAULT false
    )`);
    await db.query(`CREATE TABLE sessions (
      uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash text NOT NULL UNIQUE,
      user_pk integer NOT NULL REFERENCES users (pk) ON DELETE CASCADE,
      created timestamptz NOT NULL,
      expires timestamptz NOT NULL,
      browser_session boolean NOT NULL,
      last_ip text NOT NULL,
      last_user_agent text NOT NULL DEFAULT '',
      last_used timestamptz NOT NULL,
      network_binding text NOT NULL DEFAULT 'no_binding',
      geoip_binding text NOT NULL DEFAULT 'no_binding',
      stage_uuid uuid REFERENCES stages (stage_uuid) ON DELETE SET NULL
    )`);
    await db.query(`CREATE INDEX sessions_user_idx ON sessions (user_pk)`);
    await db.query(`CREATE INDEX sessions_expires_idx ON sessions (expires)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP TABLE user_login_stages`);
  }
}
