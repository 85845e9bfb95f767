import {
  IdentificationStage,
  PasswordStage,
  PromptStage,
  UserWriteStage,
  type FlowRepository,
  type SettingsEntity,
} from '@idp/flows';
import type { ObjectLiteral } from 'typeorm';
import type { FieldErrors } from '../shared/field-rules.js';
import { checkOptionalSlug, checkPromptFields, checkUserFields, type StageSettingsRules } from './stage.validation.js';

/** Everything the generic stage API needs to know about one stage type. */
export interface StageKind<T extends ObjectLiteral> extends StageSettingsRules<T> {
  /** The `stages.type` value and the route segment, e.g. `password`. */
  type: string;
  /** The settings table's entity, or null for a type without settings. */
  entity: SettingsEntity<T>;
  component: string;
  /** The settings as JSON; a missing settings row reads as the table's defaults. */
  present(settings: T | null): Record<string, unknown>;
  /** Checks that need the database, e.g. that a named flow exists. */
  checkReferences?(fields: Partial<T>, flows: FlowRepository): Promise<FieldErrors>;
}

/** `/api/v3/stages/identification/`: which user fields the identifier matches, and the sign-up flow. */
export const IDENTIFICATION_KIND: StageKind<IdentificationStage> = {
  type: 'identification',
  entity: IdentificationStage,
  component: 'ak-stage-identification-form',
  keys: ['user_fields', 'enrollment_flow_slug'],
  read: (reader) => ({
    userFields: reader.custom('user_fields', checkUserFields),
    enrollmentFlowSlug: reader.custom('enrollment_flow_slug', checkOptionalSlug),
  }),
  present: (settings) => ({
    user_fields: settings?.userFields ?? ['username', 'email'],
    enrollment_flow_slug: settings?.enrollmentFlowSlug ?? null,
  }),
  async checkReferences(fields, flows): Promise<FieldErrors> {
    const slug = fields.enrollmentFlowSlug;
    if (!slug || (await flows.findBySlug(slug))) return {};
    return { enrollment_flow_slug: [`No flow with slug "${slug}" exists.`] };
  },
};

/** `/api/v3/stages/password/`: how many wrong passwords cancel the flow. */
export const PASSWORD_KIND: StageKind<PasswordStage> = {
  type: 'password',
  entity: PasswordStage,
  component: 'ak-stage-password-form',
  keys: ['failed_attempts_before_cancel'],
  read: (reader) => ({
    failedAttemptsBeforeCancel: reader.integer('failed_attempts_before_cancel', { min: 1, max: 100 }),
  }),
  present: (settings) => ({ failed_attempts_before_cancel: settings?.failedAttemptsBeforeCancel ?? 5 }),
};

/** `/api/v3/stages/prompt/`: the questions asked, stored with the stage. */
export const PROMPT_KIND: StageKind<PromptStage> = {
  type: 'prompt',
  entity: PromptStage,
  component: 'ak-stage-prompt-form',
  keys: ['fields'],
  read: (reader) => ({ fields: reader.custom('fields', checkPromptFields) }),
  present: (settings) => ({ fields: settings?.fields ?? [] }),
};

/** `/api/v3/stages/user_write/`: how users are created from prompt answers. */
export const USER_WRITE_KIND: StageKind<UserWriteStage> = {
  type: 'user_write',
  entity: UserWriteStage,
  component: 'ak-stage-user-write-form',
  keys: ['create_users_as_inactive'],
  read: (reader) => ({ createUsersAsInactive: reader.boolean('create_users_as_inactive') }),
  present: (settings) => ({ create_users_as_inactive: settings?.createUsersAsInactive ?? false }),
};

/** `/api/v3/stages/user_logout/`: no settings, only a name. */
export const USER_LOGOUT_KIND: StageKind<ObjectLiteral> = {
  type: 'user_logout',
  entity: null,
  component: 'ak-stage-user-logout-form',
  keys: [],
  read: () => ({}),
  present: () => ({}),
};
