// Form fields of the flow page: labelled inputs whose server errors are tied to them for screen readers.
import { h } from './common.js';

/** A labelled input with its errors tied to it by aria-describedby. */
export function field({
  name,
  label,
  type = 'text',
  autocomplete,
  required = true,
  placeholder,
  errors = [],
  autofocus = false,
  value,
  hint,
  describedBy,
}) {
  const id = `field-${name}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [describedBy, hint ? hintId : null, errors.length > 0 ? errorId : null].filter(Boolean);
  const input = h('input', {
    id,
    name,
    type,
    autocomplete,
    placeholder,
    required,
    autofocus,
    value: type === 'password' ? undefined : value,
    'aria-invalid': errors.length > 0 ? 'true' : undefined,
    'aria-describedby': described.length ? described.join(' ') : undefined,
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    input,
    errors.length > 0 ? h('p', { class: 'field-error', id: errorId }, errors.map((e) => e.string).join(' ')) : null,
  );
}

export function errorsOf(challenge, name) {
  return challenge.response_errors?.[name] ?? [];
}

/** Errors not tied to a visible field (e.g. non_field_errors) go above the form. */
export function generalErrors(challenge, shownFields) {
  const entries = Object.entries(challenge.response_errors ?? {}).filter(([key]) => !shownFields.includes(key));
  if (entries.length === 0) return null;
  return h(
    'div',
    { class: 'alert error', role: 'alert' },
    entries.flatMap(([, list]) => list.map((e) => e.string)).join(' '),
  );
}

export const PROMPT_INPUTS = {
  username: { type: 'text', autocomplete: 'username' },
  email: { type: 'email', autocomplete: 'email' },
  password: { type: 'password', autocomplete: 'new-password' },
  number: { type: 'number' },
  text: { type: 'text' },
};

export function checkbox(f, errors) {
  const id = `field-${f.field_key}`;
  return h(
    'div',
    { class: 'field checkbox' },
    h('input', {
      id,
      name: f.field_key,
      type: 'checkbox',
      'aria-invalid': errors.length ? 'true' : undefined,
      'aria-describedby': errors.length ? `${id}-error` : undefined,
    }),
    h('label', { for: id }, f.label || f.field_key),
    errors.length ? h('p', { class: 'field-error', id: `${id}-error` }, errors.map((e) => e.string).join(' ')) : null,
  );
}
