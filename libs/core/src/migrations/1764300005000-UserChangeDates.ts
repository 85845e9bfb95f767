import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a user's record and password last changed (authentik's `last_updated` and
 * `password_change_date`). Users from before this migration get their join date: the earliest
 * moment either can have happened, and nothing later is known.
 */
export class UserChangeDates1764300005000 implements MigrationInterface {
  name = 'UserChangeDates1764300005000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE users ADD COLUMN last_updated timestamptz, ADD COLUMN password_change_date timestamptz`,
    );
    await db.query(`UPDATE users SET last_updated = date_joined, password_change_date = date_joined`);
    await db.query(`ALTER TABLE users
      ALTER COLUMN last_updated SET NOT NULL, ALTER COLUMN last_updated SET DEFAULT now(),
      ALTER COLUMN password_change_date SET NOT NULL, ALTER COLUMN password_change_date SET DEFAULT now()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN last_updated, DROP COLUMN password_change_date`);
  }
}
