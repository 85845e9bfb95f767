import type { GeoIpService } from '@idp/core';
import {
  IdentificationStage,
  PasswordStage,
  PromptStage,
  UserWriteStage,
  type FlowRepository,
  type PromptField,
  type SettingsEntity,
} from '@idp/flows';
import { bindingRequiresAsn, bindingRequiresCity, parseExemptCidrs, UserLoginStage } from '@idp/user-login';
import type { Type } from '@nestjs/common';
import { PartialType } from '@nestjs/swagger';
import type { ObjectLiteral } from 'typeorm';
import { definedOnly } from '../common/dto-rules.js';
import type { FieldErrors } from '../common/field-errors.js';
import {
  INBUILT_BACKEND,
  IdentificationStageDto,
  PasswordStageDto,
  PromptStageDto,
  StageDto,
  UserLoginStageDto,
  UserLogoutStageDto,
  UserWriteStageDto,
} from './stage.dto.js';

/** What a stage kind's checks may consult: the flows (references) and the GeoIP databases loaded. */
export interface StageContext {
  flows: FlowRepository;
  geoip: GeoIpService;
}

/** Everything the typed stage API needs to know about one stage type. */
export interface StageKind<T extends ObjectLiteral, D extends StageDto> {
  /** The `stages.type` value and the route segment, e.g. `password`. */
  type: string;
  /** The settings table's entity, or null for a type without settings. */
  entity: SettingsEntity<T>;
  /** authentik's names for the type: the admin form's element, the model's labels and `app.model`. */
  component: string;
  verboseName: string;
  metaModelName: string;
  /** The `app` audit events name for changes through this kind's routes (default `stages`). */
  eventApp?: string;
  /** The create/PUT body; PATCH takes `PartialType` of it. */
  dto: Type<D>;
  /** Entity fields from a validated body: only the ones sent. */
  toFields(body: Partial<D>): Partial<T>;
  /** The settings as JSON; a missing settings row reads as the table's defaults. */
  present(settings: T | null): Record<string, unknown>;
  /** Checks that need the server's state, e.g. that a named flow exists. */
  checkContext?(fields: Partial<T>, context: StageContext): Promise<FieldErrors>;
}

/**
 * The plain settings of a kind: JSON key → entity property, with the default a missing settings
 * row reads as. Adding a setting to a stage type is one line here plus one DTO property.
 */
interface Setting<T> {
  field: keyof T;
  default: unknown;
  /** How a validated value is stored, when not as sent (e.g. CIDRs normalised). */
  store?: (value: never) => unknown;
}
type SettingsMap<T, D> = { [K in keyof D]?: Setting<T> };

function mapped<T extends ObjectLiteral, D extends StageDto>(
  map: SettingsMap<T, D>,
): Pick<StageKind<T, D>, 'toFields' | 'present'> {
  const entries = Object.entries(map) as Array<[keyof D & string, { field: keyof T; default: unknown }]>;
  return {
    toFields: (body) =>
      definedOnly(Object.fromEntries(entries.map(([key, { field }]) => [field, body[key]]))) as Partial<T>,
    present: (settings) =>
      Object.fromEntries(entries.map(([key, { field, default: fallback }]) => [key, settings?.[field] ?? fallback])),
  };
}

/** `/api/v3/stages/identification/`: which user fields the identifier matches, and the sign-up flow. */
export const IDENTIFICATION_KIND: StageKind<IdentificationStage, IdentificationStageDto> = {
  type: 'identification',
  entity: IdentificationStage,
  component: 'ak-stage-identification-form',
  verboseName: 'Identification Stage',
  metaModelName: 'authentik_stages_identification.identificationstage',
  dto: IdentificationStageDto,
  ...mapped<IdentificationStage, IdentificationStageDto>({
    user_fields: { field: 'userFields', default: ['username', 'email'] },
    enrollment_flow_slug: { field: 'enrollmentFlowSlug', default: null },
  }),
  async checkContext(fields, { flows }): Promise<FieldErrors> {
    const slug = fields.enrollmentFlowSlug;
    if (!slug || (await flows.findBySlug(slug))) return {};
    return { enrollment_flow_slug: [`No flow with slug "${slug}" exists.`] };
  },
};

/** `/api/v3/stages/password/`: how many wrong passwords cancel the flow. */
export const PASSWORD_KIND: StageKind<PasswordStage, PasswordStageDto> = {
  type: 'password',
  entity: PasswordStage,
  component: 'ak-stage-password-form',
  verboseName: 'Password Stage',
  metaModelName: 'authentik_stages_password.passwordstage',
  dto: PasswordStageDto,
  ...mapped<PasswordStage, PasswordStageDto>({
    failed_attempts_before_cancel: { field: 'failedAttemptsBeforeCancel', default: 5 },
  }),
  // `backends` is accepted only as the one backend there is, so it is answered, never stored.
  present: (settings) => ({
    backends: [INBUILT_BACKEND],
    failed_attempts_before_cancel: settings?.failedAttemptsBeforeCancel ?? 5,
  }),
};

/** `/api/v3/stages/prompt/`: the questions asked, stored with the stage. */
export const PROMPT_KIND: StageKind<PromptStage, PromptStageDto> = {
  type: 'prompt',
  entity: PromptStage,
  component: 'ak-stage-prompt-form',
  verboseName: 'Prompt Stage',
  metaModelName: 'authentik_stages_prompt.promptstage',
  dto: PromptStageDto,
  toFields: (body) =>
    body.fields === undefined
      ? {}
      : {
          fields: body.fields.map((field, index): PromptField => ({
            field_key: field.field_key,
            label: field.label.trim(),
            type: field.type,
            required: field.required === true,
            ...(typeof field.placeholder === 'string' && field.placeholder !== ''
              ? { placeholder: field.placeholder }
              : {}),
            order: field.order ?? index,
          })),
        },
  present: (settings) => ({ fields: settings?.fields ?? [] }),
};

/** `/api/v3/stages/user_write/`: how users are created from prompt answers. */
export const USER_WRITE_KIND: StageKind<UserWriteStage, UserWriteStageDto> = {
  type: 'user_write',
  entity: UserWriteStage,
  component: 'ak-stage-user-write-form',
  verboseName: 'User Write Stage',
  metaModelName: 'authentik_stages_user_write.userwritestage',
  dto: UserWriteStageDto,
  ...mapped<UserWriteStage, UserWriteStageDto>({
    create_users_as_inactive: { field: 'createUsersAsInactive', default: false },
  }),
};

/** `/api/v3/stages/user_logout/`: no settings, only a name. */
export const USER_LOGOUT_KIND: StageKind<ObjectLiteral, UserLogoutStageDto> = {
  type: 'user_logout',
  entity: null,
  component: 'ak-stage-user-logout-form',
  verboseName: 'User Logout Stage',
  metaModelName: 'authentik_stages_user_logout.userlogoutstage',
  dto: UserLogoutStageDto,
  toFields: () => ({}),
  present: () => ({}),
};

/**
 * `/api/v3/stages/user_login/`: session duration, remember-me, binding and terminate-others. A
 * binding the server has no database for is refused with the variable to set.
 */
export const USER_LOGIN_KIND: StageKind<UserLoginStage, UserLoginStageDto> = {
  type: 'user_login',
  entity: UserLoginStage,
  component: 'ak-stage-user-login-form',
  verboseName: 'User Login Stage',
  metaModelName: 'authentik_stages_user_login.userloginstage',
  eventApp: 'user_login',
  dto: UserLoginStageDto,
  ...mapped<UserLoginStage, UserLoginStageDto>({
    session_duration: { field: 'sessionDuration', default: 'seconds=0' },
    remember_me_offset: { field: 'rememberMeOffset', default: 'seconds=0' },
    network_binding: { field: 'networkBinding', default: 'no_binding' },
    geoip_binding: { field: 'geoipBinding', default: 'no_binding' },
    terminate_other_sessions: { field: 'terminateOtherSessions', default: false },
    binding_mode: { field: 'bindingMode', default: 'enforce' },
    on_missing_record: { field: 'onMissingRecord', default: 'terminate' },
    binding_exempt_cidrs: { field: 'bindingExemptCidrs', default: [], store: parseExemptCidrs },
    ipv6_prefix: { field: 'ipv6Prefix', default: 128 },
    session_idle_timeout: { field: 'sessionIdleTimeout', default: 'seconds=0' },
    max_sessions: { field: 'maxSessions', default: 0 },
    on_limit: { field: 'onLimit', default: 'evict_oldest' },
    remember_device: { field: 'rememberDevice', default: 'days=30' },
    device_bound_sessions: { field: 'deviceBoundSessions', default: 'off' },
  }),
  async checkContext(fields, { geoip }): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    if (fields.networkBinding && bindingRequiresAsn(fields.networkBinding) && !geoip.hasAsn) {
      errors.network_binding = [
        'Network binding needs an ASN database: set GEOIP_ASN_DB to a MaxMind ASN .mmdb file and restart the server.',
      ];
    }
    if (fields.geoipBinding && bindingRequiresCity(fields.geoipBinding) && !geoip.hasCity) {
      errors.geoip_binding = [
        'GeoIP binding needs a City database: set GEOIP_CITY_DB to a MaxMind City .mmdb file and restart the server.',
      ];
    }
    return errors;
  },
};

/** Every stage type the API serves, by its `stages.type`. */
export const STAGE_KINDS: ReadonlyMap<string, StageKind<ObjectLiteral, StageDto>> = new Map(
  [IDENTIFICATION_KIND, PASSWORD_KIND, PROMPT_KIND, USER_WRITE_KIND, USER_LOGIN_KIND, USER_LOGOUT_KIND].map((kind) => [
    kind.type,
    kind as unknown as StageKind<ObjectLiteral, StageDto>,
  ]),
);

/** PATCH bodies: any subset of the create fields. */
export function patchDtoOf<D extends StageDto>(dto: Type<D>): Type<Partial<D>> {
  return PartialType(dto, { skipNullProperties: false });
}
