import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remembered devices (`remember_device`) and device-bound sessions (DBSC): the devices table,
 * the key and bound cookie of a device-bound session, and the two stage fields.
 */
export class Devices1764300004000 implements MigrationInterface {
  name = 'Devices1764300004000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE devices (
      uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash text NOT NULL UNIQUE,
      user_pk integer NOT NULL REFERENCES users (pk) ON DELETE CASCADE,
      created timestamptz NOT NULL,
      last_used timestamptz NOT NULL,
      expires timestamptz NOT NULL,
      user_agent text NOT NULL DEFAULT ''
    )`);
    await db.query(`CREATE INDEX devices_user_idx ON devices (user_pk)`);
    await db.query(`CREATE INDEX devices_expires_idx ON devices (expires)`);
    await db.query(`CREATE TABLE session_device_bindings (
      session_uuid uuid PRIMARY KEY REFERENCES sessions (uuid) ON DELETE CASCADE,
      algorithm text CHECK (algorithm IN ('ES256', 'RS256')),
      public_key jsonb,
      bound_at timestamptz,
      proof_seen boolean NOT NULL DEFAULT false,
      bound_cookie_hash text,
      bound_cookie_expires timestamptz,
      previous_cookie_hash text,
      previous_cookie_expires timestamptz,
      challenge text,
      challenge_expires timestamptz,
      proof_missing_reported timestamptz
    )`);
    // A changed binding (key registered, bound cookie renewed) must reach every instance's
    // session cache at once, like a changed session row (migration 1764300003000).
    await db.query(`CREATE FUNCTION idp_notify_device_binding_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('idp_sessions:' || TG_TABLE_SCHEMA, 's:' || COALESCE(NEW.session_uuid, OLD.session_uuid));
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER session_device_bindings_notify
      AFTER INSERT OR UPDATE OR DELETE ON session_device_bindings
      FOR EACH ROW EXECUTE FUNCTION idp_notify_device_binding_changed()`);
    await db.query(`ALTER TABLE sessions ADD COLUMN known_device boolean NOT NULL DEFAULT false`);
    await db.query(`ALTER TABLE user_login_stages
      ADD COLUMN remember_device text NOT NULL DEFAULT 'days=30',
      ADD COLUMN device_bound_sessions text NOT NULL DEFAULT 'off'
        CHECK (device_bound_sessions IN ('off', 'prefer'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE user_login_stages DROP COLUMN device_bound_sessions, DROP COLUMN remember_device`);
    await db.query(`ALTER TABLE sessions DROP COLUMN known_device`);
    await db.query(`DROP TABLE session_device_bindings`);
    await db.query(`DROP FUNCTION idp_notify_device_binding_changed()`);
    await db.query(`DROP TABLE devices`);
  }
}
