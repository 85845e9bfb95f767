import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The second-round User Login stage options (binding mode, missing records, exempt networks,
 * IPv6 prefix, idle timeout, session limit) and what each session copies of them. Every default
 * is today's behaviour, so existing stages and sessions keep working unchanged.
 */
export class StageBindingOptions1764300002000 implements MigrationInterface {
  name = 'StageBindingOptions1764300002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE user_login_stages
      ADD COLUMN binding_mode text NOT NULL DEFAULT 'enforce' CHECK (binding_mode IN ('enforce', 'log')),
      ADD COLUMN on_missing_record text NOT NULL DEFAULT 'terminate' CHECK (on_missing_record IN ('terminate', 'allow')),
      ADD COLUMN binding_exempt_cidrs jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(binding_exempt_cidrs) = 'array'),
      ADD COLUMN ipv6_prefix smallint NOT NULL DEFAULT 128 CHECK (ipv6_prefix BETWEEN 1 AND 128),
      ADD COLUMN session_idle_timeout text NOT NULL DEFAULT 'seconds=0',
      ADD COLUMN max_sessions integer NOT NULL DEFAULT 0 CHECK (max_sessions >= 0),
      ADD COLUMN on_limit text NOT NULL DEFAULT 'evict_oldest' CHECK (on_limit IN ('evict_oldest', 'deny'))`);
    // A session keeps the options it was created under, like its binding levels. The reference
    // IPs are null while they equal last_ip (always, with the defaults).
    await db.query(`ALTER TABLE sessions
      ADD COLUMN binding_mode text NOT NULL DEFAULT 'enforce',
      ADD COLUMN on_missing_record text NOT NULL DEFAULT 'terminate',
      ADD COLUMN binding_exempt_cidrs jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN ipv6_prefix smallint NOT NULL DEFAULT 128,
      ADD COLUMN network_reference_ip text,
      ADD COLUMN geoip_reference_ip text,
      ADD COLUMN idle_timeout_ms double precision NOT NULL DEFAULT 0,
      ADD COLUMN idle_expires timestamptz`);
    await db.query(`CREATE INDEX sessions_idle_expires_idx ON sessions (idle_expires) WHERE idle_expires IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX sessions_idle_expires_idx`);
    await db.query(`ALTER TABLE sessions
      DROP COLUMN binding_mode, DROP COLUMN on_missing_record, DROP COLUMN binding_exempt_cidrs,
      DROP COLUMN ipv6_prefix, DROP COLUMN network_reference_ip, DROP COLUMN geoip_reference_ip,
      DROP COLUMN idle_timeout_ms, DROP COLUMN idle_expires`);
    await db.query(`ALTER TABLE user_login_stages
      DROP COLUMN binding_mode, DROP COLUMN on_missing_record, DROP COLUMN binding_exempt_cidrs,
      DROP COLUMN ipv6_prefix, DROP COLUMN session_idle_timeout, DROP COLUMN max_sessions, DROP COLUMN on_limit`);
  }
}
