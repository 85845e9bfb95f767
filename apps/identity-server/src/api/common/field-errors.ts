import type { ValidationError } from 'class-validator';

/** Field errors in the API's shape: `{field: [message, ...]}`. */
export type FieldErrors = Record<string, string[]>;

export const REQUIRED = 'This field is required.';
export const UNKNOWN_FIELD = 'Unknown field.';
export const NOT_AN_OBJECT = 'Expected a JSON object.';

// Constraint names class-validator gives the problems it finds on its own.
const WHITELIST = 'whitelistValidation';
const NESTED = 'nestedValidation';

/** The one message a property's failed constraints stand for ("required" wins over the rest). */
function messagesOf(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  if (constraints.required) return [constraints.required];
  if (constraints[WHITELIST]) return [UNKNOWN_FIELD];
  if (constraints[NESTED]) return ['Expected an object.'];
  return Object.values(constraints);
}

/**
 * Turns class-validator's tree of errors into `{field: [message]}`. A nested item's problems stay
 * under the top-level field, named by their path, e.g. `fields[2].type: "date" is not a valid choice.`.
 */
export function fieldErrorsOf(errors: ValidationError[]): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    const messages = [
      ...messagesOf(error),
      ...(error.children ?? []).flatMap((child) => nestedMessages(child, error.property)),
    ];
    if (messages.length > 0) (out[error.property] ??= []).push(...messages);
  }
  return out;
}

function nestedMessages(error: ValidationError, path: string): string[] {
  const at = /^\d+$/.test(error.property) ? `${path}[${error.property}]` : `${path}.${error.property}`;
  return [
    ...messagesOf(error).map((message) => `${at}: ${message}`),
    ...(error.children ?? []).flatMap((child) => nestedMessages(child, at)),
  ];
}
