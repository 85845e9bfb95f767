import type { PromptField } from '@idp/flows';
import {
  BINDING_MODES,
  DurationFormatError,
  GEOIP_BINDINGS,
  LIMIT_POLICIES,
  MAX_SESSIONS_LIMIT,
  MISSING_RECORD_POLICIES,
  NETWORK_BINDINGS,
  parseExemptCidrs,
  validateIdleTimeout,
  validateRememberDevice,
  DEVICE_BOUND_SESSIONS,
  type DeviceBoundSessions,
  validateRememberMeOffset,
  validateSessionDuration,
  type BindingMode,
  type GeoIpBinding,
  type LimitPolicy,
  type MissingRecordPolicy,
  type NetworkBinding,
} from '@idp/user-login';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { Allow, ValidateNested } from 'class-validator';
import { IsBool, IsBoundedInt, IsChoice, IsText, Required, rule } from '../common/dto-rules.js';
import { FlowSetResponse } from './flow-set.response.js';

/** User attributes an identification stage may match the identifier against. */
export const USER_FIELDS = ['username', 'email'] as const;
// Prompt answers are keyed by field_key in the flow context, so it must be a plain identifier.
const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_PROMPT_FIELDS = 50;
/** Kinds of prompt field the prompt stage knows how to ask and check. */
export const PROMPT_FIELD_TYPES = [
  'text',
  'username',
  'email',
  'password',
  'checkbox',
] as const satisfies readonly PromptField['type'][];

/**
 * What every stage body has: its name, and the read-only fields of the answer (authentik's) that a
 * client may echo back; echoed values are ignored.
 */
export class StageDto {
  @ApiProperty({ readOnly: true, format: 'uuid', required: false })
  @Allow()
  pk?: string;

  @ApiProperty({ maxLength: 200, description: 'Unique among all stages.' })
  @Required()
  @IsText()
  name: string;

  @ApiProperty({ readOnly: true, required: false, description: 'The form that edits this stage type.' })
  @Allow()
  component?: string;

  @ApiProperty({ readOnly: true, required: false, example: 'User Login Stage' })
  @Allow()
  verbose_name?: string;

  @ApiProperty({ readOnly: true, required: false, example: 'User Login Stages' })
  @Allow()
  verbose_name_plural?: string;

  @ApiProperty({ readOnly: true, required: false, example: 'authentik_stages_user_login.userloginstage' })
  @Allow()
  meta_model_name?: string;

  @ApiProperty({
    type: () => [FlowSetResponse],
    readOnly: true,
    required: false,
    description: 'The flows the stage is bound in.',
  })
  @Allow()
  flow_set?: FlowSetResponse[];
}

/** `/api/v3/stages/identification/`. */
export class IdentificationStageDto extends StageDto {
  @ApiPropertyOptional({ enum: USER_FIELDS, isArray: true, default: ['username', 'email'] })
  @rule('user_fields', (value) => {
    if (!Array.isArray(value)) return `Expected a list of: ${USER_FIELDS.join(', ')}.`;
    if (value.length === 0) return `Choose at least one of: ${USER_FIELDS.join(', ')}.`;
    const unknown = value.find((item) => !(USER_FIELDS as readonly unknown[]).includes(item));
    if (unknown !== undefined)
      return `"${String(unknown)}" is not a valid choice. Choose from: ${USER_FIELDS.join(', ')}.`;
    if (new Set(value).size !== value.length) return 'Each user field may be listed only once.';
    return null;
  })
  user_fields?: Array<(typeof USER_FIELDS)[number]>;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Slug of the flow offered as "Sign up".' })
  @Transform(({ value }) => (value === '' ? null : value))
  @rule('slug', (value) =>
    value === null || (typeof value === 'string' && /^[-a-zA-Z0-9_]{1,50}$/.test(value))
      ? null
      : 'Enter the slug of a flow, or null.',
  )
  enrollment_flow_slug?: string | null;
}

/** authentik's password backend that checks the user's stored password: the only one here. */
export const INBUILT_BACKEND = 'authentik.core.auth.InbuiltBackend';

/** `/api/v3/stages/password/`. */
export class PasswordStageDto extends StageDto {
  @ApiPropertyOptional({
    enum: [INBUILT_BACKEND],
    isArray: true,
    default: [INBUILT_BACKEND],
    description: "authentik's backends: only the stored password (the inbuilt backend) exists here.",
  })
  @rule('backends', (value) =>
    Array.isArray(value) && value.length > 0 && value.every((backend) => backend === INBUILT_BACKEND)
      ? null
      : `Only "${INBUILT_BACKEND}" exists here (the user's stored password).`,
  )
  backends?: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 5 })
  @IsBoundedInt(1, 100)
  failed_attempts_before_cancel?: number;
}

/** One question of a prompt stage. */
export class PromptFieldDto {
  @ApiProperty({ pattern: FIELD_KEY.source, maxLength: 100, description: "The answer's key in the flow context." })
  @Required()
  @rule('field_key', (value) =>
    typeof value === 'string' && FIELD_KEY.test(value) && value.length <= 100
      ? null
      : 'Enter an identifier: a letter or underscore, then letters, digits or underscores (at most 100).',
  )
  field_key: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @Required()
  @rule('label', (value) =>
    typeof value === 'string' && value.trim() !== '' && value.length <= 200
      ? null
      : 'Enter a label of 1 to 200 characters.',
  )
  label: string;

  @ApiProperty({ enum: PROMPT_FIELD_TYPES })
  @Required()
  @IsChoice(PROMPT_FIELD_TYPES)
  type: PromptField['type'];

  @ApiPropertyOptional({ default: false })
  @IsBool()
  required?: boolean;

  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 200 })
  @rule('placeholder', (value) =>
    value === null || (typeof value === 'string' && value.length <= 200)
      ? null
      : 'Enter a string of at most 200 characters.',
  )
  placeholder?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: -1000,
    maximum: 1000,
    description: 'Defaults to the position in the list.',
  })
  @IsBoundedInt(-1000, 1000)
  order?: number;
}

/** `/api/v3/stages/prompt/`. */
export class PromptStageDto extends StageDto {
  @ApiPropertyOptional({
    type: [PromptFieldDto],
    maxItems: MAX_PROMPT_FIELDS,
    description: '`field_key` unique within the stage.',
  })
  @ValidateNested()
  @Type(() => PromptFieldDto)
  @rule('prompt_fields', (value) => {
    if (!Array.isArray(value)) return 'Expected a list of prompt fields.';
    if (value.length > MAX_PROMPT_FIELDS) return `Ensure this list has no more than ${MAX_PROMPT_FIELDS} fields.`;
    const keys = value.map((field: Partial<PromptFieldDto> | null) => field?.field_key);
    const index = keys.findIndex((key, at) => typeof key === 'string' && keys.indexOf(key) !== at);
    return index < 0 ? null : `fields[${index}].field_key: "${keys[index]}" is used by another field of this stage.`;
  })
  fields?: PromptFieldDto[];
}

/** `/api/v3/stages/user_write/`. */
export class UserWriteStageDto extends StageDto {
  @ApiPropertyOptional({ default: false })
  @IsBool()
  create_users_as_inactive?: boolean;
}

/** `/api/v3/stages/user_logout/`: a name only. */
export class UserLogoutStageDto extends StageDto {}

/** A duration string such as `hours=1,minutes=30`, checked by the domain's parser (`check` throws on bad input). */
export function IsDuration(check: (value: string) => number): PropertyDecorator {
  return rule('duration', (value) => {
    if (typeof value !== 'string') return 'Not a valid string.';
    try {
      check(value);
      return null;
    } catch (error) {
      if (error instanceof DurationFormatError) return error.message;
      throw error;
    }
  });
}

const DURATION_HELP =
  'key=value pairs separated by , or ; (keys microseconds … weeks; floats and negatives allowed; at most 100 years).';

/**
 * `/api/v3/stages/user_login/`. Whether the server has the GeoIP/ASN database a binding needs is
 * checked by the stage kind (it needs the server's state), not here.
 */
export class UserLoginStageDto extends StageDto {
  @ApiPropertyOptional({
    default: 'seconds=0',
    example: 'hours=8',
    description: `How long a session lasts; seconds=0 ends it with the browser. ${DURATION_HELP}`,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsDuration(validateSessionDuration)
  session_duration?: string;

  @ApiPropertyOptional({
    default: 'seconds=0',
    example: 'days=30',
    description: `Added when the user answers "Stay signed in?" with yes; <= 0 never asks. ${DURATION_HELP}`,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsDuration(validateRememberMeOffset)
  remember_me_offset?: string;

  @ApiPropertyOptional({
    enum: NETWORK_BINDINGS,
    default: 'no_binding',
    description: 'Needs GEOIP_ASN_DB unless no_binding.',
  })
  @IsChoice(NETWORK_BINDINGS)
  network_binding?: NetworkBinding;

  @ApiPropertyOptional({
    enum: GEOIP_BINDINGS,
    default: 'no_binding',
    description: 'Needs GEOIP_CITY_DB unless no_binding.',
  })
  @IsChoice(GEOIP_BINDINGS)
  geoip_binding?: GeoIpBinding;

  @ApiPropertyOptional({ default: false, description: "End the user's other sessions at login." })
  @IsBool()
  terminate_other_sessions?: boolean;

  @ApiPropertyOptional({
    enum: BINDING_MODES,
    default: 'enforce',
    description: 'log: a broken binding keeps the session and writes a session_binding_violation event.',
  })
  @IsChoice(BINDING_MODES)
  binding_mode?: BindingMode;

  @ApiPropertyOptional({
    enum: MISSING_RECORD_POLICIES,
    default: 'terminate',
    description: "allow: an IP a database has no record for passes that database's levels.",
  })
  @IsChoice(MISSING_RECORD_POLICIES)
  on_missing_record?: MissingRecordPolicy;

  @ApiPropertyOptional({
    type: [String],
    default: [],
    example: ['10.0.0.0/8'],
    description: 'Networks (CIDR) whose requests are not checked.',
  })
  @rule('cidrs', (value) => {
    try {
      parseExemptCidrs(value);
      return null;
    } catch (error) {
      if (error instanceof TypeError) return error.message;
      throw error;
    }
  })
  binding_exempt_cidrs?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 128,
    default: 128,
    description: 'IPv6 addresses in the same /N count as one IP.',
  })
  @IsBoundedInt(1, 128)
  ipv6_prefix?: number;

  @ApiPropertyOptional({
    default: 'seconds=0',
    description: `A session unused for longer than this ends; seconds=0 is off. ${DURATION_HELP}`,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsDuration(validateIdleTimeout)
  session_idle_timeout?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_SESSIONS_LIMIT,
    default: 0,
    description: 'Live sessions per user after a login through this stage; 0 is unlimited.',
  })
  @IsBoundedInt(0, MAX_SESSIONS_LIMIT)
  max_sessions?: number;

  @ApiPropertyOptional({ enum: LIMIT_POLICIES, default: 'evict_oldest' })
  @IsChoice(LIMIT_POLICIES)
  on_limit?: LimitPolicy;

  @ApiPropertyOptional({
    default: 'days=30',
    description: `How long the device cookie remembers a browser (the login event's known_device); seconds=0 sets none. ${DURATION_HELP}`,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsDuration(validateRememberDevice)
  remember_device?: string;

  @ApiPropertyOptional({
    enum: DEVICE_BOUND_SESSIONS,
    default: 'off',
    description: 'prefer: offer Device Bound Session Credentials (DBSC) at login over HTTPS.',
  })
  @IsChoice(DEVICE_BOUND_SESSIONS)
  device_bound_sessions?: DeviceBoundSessions;
}
