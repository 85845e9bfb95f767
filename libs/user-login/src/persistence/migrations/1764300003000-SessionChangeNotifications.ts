import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Triggers that tell every server instance, through `NOTIFY`, about changes that must reach
 * their session caches at once: a session deleted (however: logout, revoke, housekeeping, a
 * cascade from its user), a session whose security-relevant columns changed, a user changed
 * (deactivated, renamed, lost superuser), a User Login stage changed or deleted.
 *
 * The channel is `idp_sessions:<schema>`, so servers on other schemas of the same database do
 * not hear each other. Payloads are `s:<uuid>,<uuid>,...` (sessions, at most 100 per
 * notification: a payload must stay under 8,000 bytes), `u:<pk>` and `st:<stage uuid>`.
 *
 * The session writer's own batched `last_ip` / `last_used` / `last_user_agent` updates set the
 * transaction-local flag `idp.session_activity` and do not notify: a binding is compared with any
 * address the session was accepted from (the verdicts are transitive), so other instances need not
 * hear of a move. Every other UPDATE of a session does notify.
 */
export class SessionChangeNotifications1764300003000 implements MigrationInterface {
  name = 'SessionChangeNotifications1764300003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE FUNCTION idp_notify_sessions_gone() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE chunk text;
      BEGIN
        FOR chunk IN
          SELECT string_agg(uuid::text, ',') FROM (SELECT uuid, (row_number() OVER ()) / 100 AS part FROM gone) rows
           GROUP BY part
        LOOP
          PERFORM pg_notify('idp_sessions:' || TG_TABLE_SCHEMA, 's:' || chunk);
        END LOOP;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER sessions_deleted_notify AFTER DELETE ON sessions
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION idp_notify_sessions_gone()`);
    await db.query(`CREATE TRIGGER sessions_updated_notify AFTER UPDATE ON sessions
      REFERENCING NEW TABLE AS gone FOR EACH STATEMENT
      WHEN (current_setting('idp.session_activity', true) IS DISTINCT FROM 'on')
      EXECUTE FUNCTION idp_notify_sessions_gone()`);
    await db.query(`CREATE FUNCTION idp_notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('idp_sessions:' || TG_TABLE_SCHEMA, 'u:' || OLD.pk);
        RETURN NULL;
      END $$`);
    // last_login changes at every login and is not part of what a session check decides on.
    await db.query(`CREATE TRIGGER users_changed_notify AFTER UPDATE ON users FOR EACH ROW
      WHEN ((OLD.is_active, OLD.is_superuser, OLD.username, OLD.name, OLD.email, OLD.uuid, OLD.password)
            IS DISTINCT FROM (NEW.is_active, NEW.is_superuser, NEW.username, NEW.name, NEW.email, NEW.uuid, NEW.password))
      EXECUTE FUNCTION idp_notify_user_changed()`);
    await db.query(`CREATE FUNCTION idp_notify_login_stage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('idp_sessions:' || TG_TABLE_SCHEMA, 'st:' || OLD.stage_uuid);
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER user_login_stages_changed_notify AFTER UPDATE OR DELETE ON user_login_stages
      FOR EACH ROW EXECUTE FUNCTION idp_notify_login_stage_changed()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER user_login_stages_changed_notify ON user_login_stages`);
    await db.query(`DROP TRIGGER users_changed_notify ON users`);
    await db.query(`DROP TRIGGER sessions_updated_notify ON sessions`);
    await db.query(`DROP TRIGGER sessions_deleted_notify ON sessions`);
    await db.query(`DROP FUNCTION idp_notify_login_stage_changed()`);
    await db.query(`DROP FUNCTION idp_notify_user_changed()`);
    await db.query(`DROP FUNCTION idp_notify_sessions_gone()`);
  }
}
