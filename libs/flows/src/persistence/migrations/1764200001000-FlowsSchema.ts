import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Flows, their stage bindings, flow state, and the settings tables of the generic stages. */
export class FlowsSchema1764200001000 implements MigrationInterface {
  name = 'FlowsSchema1764200001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE flows (
      flow_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE,
      name text NOT NULL,
      title text NOT NULL DEFAULT '',
      designation text NOT NULL CHECK (designation IN ('authentication', 'enrollment', 'invalidation'))
    )`);
    await db.query(`CREATE TABLE flow_stage_bindings (
      binding_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      flow_uuid uuid NOT NULL REFERENCES flows (flow_uuid) ON DELETE CASCADE,
      stage_uuid uuid NOT NULL REFERENCES stages (stage_uuid) ON DELETE CASCADE,
      "order" integer NOT NULL,
      UNIQUE (flow_uuid, "order")
    )`);
    await db.query(`CREATE TABLE flow_executions (
      token_hash text PRIMARY KEY,
      flow_uuid uuid NOT NULL REFERENCES flows (flow_uuid) ON DELETE CASCADE,
      position integer NOT NULL DEFAULT 0,
      pending_user_pk integer REFERENCES users (pk) ON DELETE CASCADE,
      context jsonb NOT NULL DEFAULT '{}',
      expires timestamptz NOT NULL
    )`);
    await db.query(`CREATE INDEX flow_executions_expires_idx ON flow_executions (expires)`);
    await db.query(`CREATE TABLE identification_stages (
      stage_uuid uuid PRIMARY KEY REFERENCES stages (stage_uuid) ON DELETE CASCADE,
      user_fields text[] NOT NULL DEFAULT '{username,email}',
      enrollment_flow_slug text
    )`);
    await db.query(`CREATE TABLE password_stages (
      stage_uuid uuid PRIMARY KEY REFERENCES stages (stage_uuid) ON DELETE CASCADE,
      failed_attempts_before_cancel integer NOT NULL DEFAULT 5
    )`);
    await db.query(`CREATE TABLE prompt_stages (
      stage_uuid uuid PRIMARY KEY REFERENCES stages (stage_uuid) ON DELETE CASCADE,
      fields jsonb NOT NULL DEFAULT '[]'
    )`);
    await db.query(`CREATE TABLE user_write_stages (
      stage_uuid uuid PRIMARY KEY REFERENCES stages (stage_uuid) ON DELETE CASCADE,
      create_users_as_inactive boolean NOT NULL DEFAULT false
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'user_write_stages',
      'prompt_stages',
      'password_stages',
      'identification_stages',
      'flow_executions',
      'flow_stage_bindings',
      'flows',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
