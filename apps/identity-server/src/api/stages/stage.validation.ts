import type { PromptField } from '@idp/flows';
import { BodyReader, checkInteger, defined, type Checked } from '../shared/field-rules.js';

/** User attributes an identification stage may match the identifier against. */
export const USER_FIELDS = ['username', 'email'] as const;
/** Kinds of prompt field the prompt stage knows how to ask and check. */
export const PROMPT_FIELD_TYPES = ['text', 'username', 'email', 'password', 'checkbox'] as const;

// Prompt answers are keyed by field_key in the flow context, so it must be a plain identifier.
const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROMPT_FIELD_KEYS = ['field_key', 'label', 'type', 'required', 'placeholder', 'order'];
const MAX_PROMPT_FIELDS = 50;

type Fail = (message: string) => undefined;

/** The settings part of one stage type's API: its JSON keys and how a body maps to entity fields. */
export interface StageSettingsRules<T> {
  keys: readonly string[];
  read(reader: BodyReader): { [K in keyof T]?: T[K] | undefined };
}

/** A checked stage body: the new name (if sent) and the settings to write. */
export interface StageInput<T> {
  name?: string;
  fields: Partial<T>;
}

/** Checks a typed stage body (`name` plus the type's settings) for create/PUT or PATCH. */
export function validateStageInput<T>(
  rules: StageSettingsRules<T>,
  body: unknown,
  partial: boolean,
): Checked<StageInput<T>> {
  const reader = BodyReader.of(body, partial, ['pk', 'name', 'component', ...rules.keys]);
  if (!(reader instanceof BodyReader)) return reader;
  const name = reader.text('name', { required: true });
  const fields = defined(rules.read(reader)) as Partial<T>;
  return reader.result(name === undefined ? { fields } : { name, fields });
}

/** A non-empty list of distinct user fields, e.g. `['email']`. */
export function checkUserFields(value: unknown, fail: Fail): string[] | undefined {
  if (!Array.isArray(value)) return fail(`Expected a list of: ${USER_FIELDS.join(', ')}.`);
  if (value.length === 0) return fail('Choose at least one of: username, email.');
  for (const item of value) {
    if (!(USER_FIELDS as readonly unknown[]).includes(item))
      return fail(`"${String(item)}" is not a valid choice. Choose from: ${USER_FIELDS.join(', ')}.`);
  }
  if (new Set(value).size !== value.length) return fail('Each user field may be listed only once.');
  return value as string[];
}

/** A flow slug or null; whether that flow exists is the caller's to check. */
export function checkOptionalSlug(value: unknown, fail: Fail): string | null | undefined {
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || !/^[-a-zA-Z0-9_]{1,50}$/.test(value))
    return fail('Enter the slug of a flow, or null.');
  return value;
}

/**
 * The questions of a prompt stage. Each problem names the item, e.g. `fields[2].type: ...`, so
 * the operator can find it; `field_key` must be unique within the stage.
 */
export function checkPromptFields(value: unknown, fail: Fail): PromptField[] | undefined {
  if (!Array.isArray(value)) return fail('Expected a list of prompt fields.');
  if (value.length > MAX_PROMPT_FIELDS) return fail(`Ensure this list has no more than ${MAX_PROMPT_FIELDS} fields.`);
  const problems: string[] = [];
  const fields: PromptField[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, index) => {
    const at = `fields[${index}]`;
    const field = checkPromptField(item, index, (message) => {
      problems.push(`${at}${message}`);
      return undefined;
    });
    if (!field) return;
    if (seen.has(field.field_key))
      problems.push(`${at}.field_key: "${field.field_key}" is used by another field of this stage.`);
    seen.add(field.field_key);
    fields.push(field);
  });
  if (problems.length > 0) {
    problems.forEach(fail);
    return undefined;
  }
  return fields;
}

/** One prompt field; problems go to `fail` as `.key: message` (or `: message` for the whole item). */
function checkPromptField(item: unknown, index: number, fail: Fail): PromptField | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(': Expected an object.');
  const input = item as Record<string, unknown>;
  let problems = 0;
  const problem = (key: string, message: string) => {
    problems++;
    return fail(`.${key}: ${message}`);
  };
  for (const key of Object.keys(input)) if (!PROMPT_FIELD_KEYS.includes(key)) problem(key, 'Unknown field.');

  const key = input.field_key;
  if (typeof key !== 'string' || !FIELD_KEY.test(key) || key.length > 100) {
    problem(
      'field_key',
      'Enter an identifier: a letter or underscore, then letters, digits or underscores (at most 100).',
    );
  }
  const label = input.label;
  if (typeof label !== 'string' || label.trim() === '' || label.length > 200)
    problem('label', 'Enter a label of 1 to 200 characters.');
  const type = input.type;
  if (!(PROMPT_FIELD_TYPES as readonly unknown[]).includes(type)) {
    problem('type', `"${String(type)}" is not a valid choice. Choose one of: ${PROMPT_FIELD_TYPES.join(', ')}.`);
  }
  if ('required' in input && typeof input.required !== 'boolean') problem('required', 'Must be a valid boolean.');
  const placeholder = input.placeholder;
  if (
    placeholder !== undefined &&
    placeholder !== null &&
    (typeof placeholder !== 'string' || placeholder.length > 200)
  ) {
    problem('placeholder', 'Enter a string of at most 200 characters.');
  }
  const order =
    'order' in input ? checkInteger(input.order, -1000, 1000, (message) => problem('order', message)) : index;
  if (problems > 0) return undefined;
  return {
    field_key: key as string,
    label: (label as string).trim(),
    type: type as PromptField['type'],
    required: input.required === true,
    ...(typeof placeholder === 'string' && placeholder !== '' ? { placeholder } : {}),
    order: order as number,
  };
}
