import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Settings of an identification stage: which user fields the identifier may match. */
@Entity({ name: 'identification_stages' })
export class IdentificationStage {
  @PrimaryColumn({ name: 'stage_uuid', type: 'uuid' })
  stageUuid: string;

  @Column({ name: 'user_fields', type: 'text', array: true, default: () => "'{username,email}'" })
  userFields: string[];

  /** Slug of an enrollment flow to offer as "Sign up", if any. */
  @Column({ name: 'enrollment_flow_slug', type: 'text', nullable: true })
  enrollmentFlowSlug: string | null;
}

/** Settings of a password stage. */
@Entity({ name: 'password_stages' })
export class PasswordStage {
  @PrimaryColumn({ name: 'stage_uuid', type: 'uuid' })
  stageUuid: string;

  /** Wrong answers before the flow is cancelled and must be started again. */
  @Column({ name: 'failed_attempts_before_cancel', type: 'integer', default: 5 })
  failedAttemptsBeforeCancel: number;
}

/** One question of a prompt stage. */
export interface PromptField {
  field_key: string;
  label: string;
  type: 'text' | 'username' | 'email' | 'password' | 'checkbox';
  required: boolean;
  placeholder?: string;
  order: number;
}

/** Settings of a prompt stage: the fields it asks for. */
@Entity({ name: 'prompt_stages' })
export class PromptStage {
  @PrimaryColumn({ name: 'stage_uuid', type: 'uuid' })
  stageUuid: string;

  @Column({ type: 'jsonb', default: [] })
  fields: PromptField[];
}

/** Settings of a user-write stage: how users are created from prompt answers. */
@Entity({ name: 'user_write_stages' })
export class UserWriteStage {
  @PrimaryColumn({ name: 'stage_uuid', type: 'uuid' })
  stageUuid: string;

  @Column({ name: 'create_users_as_inactive', type: 'boolean', default: false })
  createUsersAsInactive: boolean;
}
