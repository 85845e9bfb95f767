// Admin: list, create and edit User Login stages; the server's field errors show under each field.
import { announce, api, durationText, errorText, h } from './common.js';
import { confirmDialog } from './confirm-dialog.js';

// Words for the values the API's OpenAPI document lists. The values themselves, their order and
// each field's default come from /api/v3/schema/, so the server's DTOs stay the one list.
const LABELS = {
  no_binding: 'No binding',
  bind_asn: 'Same network operator (ASN)',
  bind_asn_network: 'Same ASN and network',
  bind_asn_network_ip: 'Same ASN, network and IP',
  bind_continent: 'Same continent',
  bind_continent_country: 'Same continent and country',
  bind_continent_country_city: 'Same continent, country and city',
  enforce: 'Enforce: end the session',
  log: 'Log only: keep the session, record an event',
  terminate: 'End the session',
  allow: 'Let it through',
  evict_oldest: 'End the least recently used session',
  deny: 'Refuse the new sign-in',
  off: 'Off',
  prefer: 'Offer it to browsers that support it',
};
/** The User Login stage's fields as the OpenAPI document describes them (loaded once). */
let stageFields = {};

async function loadStageFields() {
  if (Object.keys(stageFields).length > 0) return;
  const result = await api('/api/v3/schema/');
  if (result.ok) stageFields = result.data.components.schemas.UserLoginStageDto.properties;
}

/** `[value, label]` pairs of one enum field, in the document's order. */
function choices(name) {
  return (stageFields[name]?.enum ?? []).map((value) => [value, LABELS[value] ?? value]);
}
const FIELDS = [
  'name',
  'session_duration',
  'remember_me_offset',
  'network_binding',
  'geoip_binding',
  'terminate_other_sessions',
  'binding_mode',
  'on_missing_record',
  'binding_exempt_cidrs',
  'ipv6_prefix',
  'session_idle_timeout',
  'max_sessions',
  'on_limit',
  'remember_device',
  'device_bound_sessions',
];
// Sent as numbers when they look like one; anything else goes as typed, and the server's 400
// names the field.
const INTEGER_FIELDS = new Set(['ipv6_prefix', 'max_sessions']);

const body = document.querySelector('#stages tbody');
const editor = document.getElementById('stage-editor');
const status = document.getElementById('status');

function label(value) {
  return LABELS[value] ?? value;
}

/** Loads the stage list into the table. */
export async function loadStages() {
  await loadStageFields();
  const result = await api('/api/v3/stages/user_login/?page_size=100');
  if (!result.ok) return announce(status, `Could not load the stages: ${errorText(result)}`, 'error');
  body.replaceChildren(
    ...result.data.results.map((stage) =>
      h(
        'tr',
        { 'data-stage': stage.pk },
        h('th', { scope: 'row' }, stage.name),
        h('td', { 'data-label': 'Session duration' }, durationCell(stage.session_duration, 'Until the browser closes')),
        h('td', { 'data-label': 'Stay signed in adds' }, durationCell(stage.remember_me_offset, 'Not asked')),
        h('td', { 'data-label': 'Network binding' }, label(stage.network_binding)),
        h('td', { 'data-label': 'GeoIP binding' }, label(stage.geoip_binding)),
        h('td', { 'data-label': 'Ends other sessions' }, stage.terminate_other_sessions ? 'Yes' : 'No'),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            {
              class: 'button small',
              type: 'button',
              'aria-label': `Edit ${stage.name}`,
              onclick: () => openEditor(stage),
            },
            'Edit',
          ),
        ),
      ),
    ),
  );
}

/** A duration in words, with the stored value under it for whoever edits it. */
function durationCell(value, zeroText) {
  return [durationText(value) ?? zeroText, h('span', { class: 'secondary' }, h('code', {}, value))];
}

function hint(id, text) {
  return h('span', { class: 'hint', id }, text);
}

function textField(name, labelText, value, hintText) {
  const id = `stage-${name}`;
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('label', { for: id }, labelText),
    h('input', {
      id,
      name,
      type: 'text',
      value,
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': hintText ? `${id}-hint` : undefined,
    }),
    hintText ? hint(`${id}-hint`, hintText) : null,
  );
}

function selectField(name, labelText, options, value, hintText) {
  const id = `stage-${name}`;
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('label', { for: id }, labelText),
    h(
      'select',
      { id, name, 'aria-describedby': hintText ? `${id}-hint` : undefined },
      options.map(([key, text]) => h('option', { value: key, selected: key === value }, text)),
    ),
    hintText ? hint(`${id}-hint`, hintText) : null,
  );
}

/**
 * A server message as a sentence: some start with the value the person typed ("hours=1, is not in
 * the correct format…"), which reads as " is not in…" when that value was empty: name the field then.
 */
function sentence(fieldLabel, message) {
  const text = message.trim();
  return /^[a-z]/.test(text) && message !== text ? `${fieldLabel} ${text}` : text;
}

/** The value of one form control as the API wants it. */
function fieldValue(form, name) {
  const control = form.elements[name];
  if (control.type === 'checkbox') return control.checked;
  if (name === 'binding_exempt_cidrs') return control.value.split(/[\s,]+/).filter(Boolean);
  if (INTEGER_FIELDS.has(name) && /^\s*\d+\s*$/.test(control.value)) return Number(control.value);
  return control.value;
}

/** Puts each server message under its field and marks the field invalid; returns the first such field. */
function showErrors(form, errors) {
  let first = null;
  const general = [];
  for (const [name, raw] of Object.entries(errors)) {
    const messages = Array.isArray(raw) ? raw.map(String) : [String(raw)];
    const wrapper = form.querySelector(`[data-field="${name}"]`);
    const control = form.elements[name];
    if (!wrapper || !control) {
      general.push(...messages);
      continue;
    }
    const errorId = `stage-${name}-error`;
    const fieldLabel = wrapper.querySelector('label')?.textContent ?? name;
    wrapper.append(
      h('p', { class: 'field-error', id: errorId }, messages.map((m) => sentence(fieldLabel, m)).join(' ')),
    );
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute(
      'aria-describedby',
      [control.getAttribute('aria-describedby'), errorId].filter(Boolean).join(' '),
    );
    first ??= control;
  }
  if (general.length) form.prepend(h('div', { class: 'alert error', role: 'alert' }, general.join(' ')));
  return first;
}

function clearErrors(form) {
  for (const node of form.querySelectorAll('.field-error, .alert')) node.remove();
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    const kept = (control.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id && !id.endsWith('-error'));
    if (kept.length) control.setAttribute('aria-describedby', kept.join(' '));
    else control.removeAttribute('aria-describedby');
  }
}

/** Opens the form for a new stage (no argument) or for editing one. */
export function openEditor(stage) {
  const creating = !stage;
  // A new stage starts from the defaults the document gives each field.
  const values = stage ?? {
    name: '',
    ...Object.fromEntries(FIELDS.slice(1).map((name) => [name, stageFields[name]?.default])),
  };
  const form = h(
    'form',
    { 'aria-labelledby': 'stage-editor-title', novalidate: true },
    h('h2', { id: 'stage-editor-title', tabindex: '-1' }, creating ? 'New user login stage' : `Edit ${stage.name}`),
    h(
      'div',
      { class: 'form-grid' },
      textField('name', 'Name', values.name),
      textField(
        'session_duration',
        'Session duration',
        values.session_duration,
        'e.g. hours=8 or days=1;hours=12. seconds=0 ends the session when the browser closes.',
      ),
      textField(
        'remember_me_offset',
        '"Stay signed in" adds',
        values.remember_me_offset,
        'Added when the user answers Yes. seconds=0 means the prompt is not shown.',
      ),
      selectField(
        'network_binding',
        'Network binding',
        choices('network_binding'),
        values.network_binding,
        'A session used from another network than the one it signed in from ends.',
      ),
      selectField(
        'geoip_binding',
        'GeoIP binding',
        choices('geoip_binding'),
        values.geoip_binding,
        'A session used from another place than the one it signed in from ends.',
      ),
      selectField(
        'binding_mode',
        'When a binding breaks',
        choices('binding_mode'),
        values.binding_mode,
        'Log only: the user stays signed in and the event log shows a session_binding_violation. Try this first.',
      ),
      selectField(
        'on_missing_record',
        'Address unknown to the database',
        choices('on_missing_record'),
        values.on_missing_record,
        'Let it through: unknown addresses are not checked; the next known address is compared with the last known one.',
      ),
      textField(
        'binding_exempt_cidrs',
        'Networks never checked',
        (values.binding_exempt_cidrs ?? []).join(', '),
        'CIDRs, comma-separated, e.g. 10.99.0.0/16 for a VPN. A hop through them never carries a session elsewhere.',
      ),
      textField(
        'ipv6_prefix',
        'IPv6 prefix for "same IP"',
        String(values.ipv6_prefix),
        '1-128. 64 keeps a session across IPv6 privacy addresses of one network; 128 compares whole addresses.',
      ),
      textField(
        'session_idle_timeout',
        'Idle timeout',
        values.session_idle_timeout,
        'e.g. minutes=30: a session unused this long ends. seconds=0 turns it off.',
      ),
      textField(
        'max_sessions',
        'Sessions per user',
        String(values.max_sessions),
        'At most this many sessions after a sign-in through this stage. 0 means no limit.',
      ),
      selectField(
        'on_limit',
        'Over the limit',
        choices('on_limit'),
        values.on_limit,
        'What a sign-in beyond the limit does. Ended sessions are logged with "Session limit reached".',
      ),
      textField(
        'remember_device',
        'Remember devices for',
        values.remember_device,
        'e.g. days=30: sign-ins from a remembered browser are marked as a known device. seconds=0 sets no device cookie.',
      ),
      selectField(
        'device_bound_sessions',
        'Device-bound sessions (DBSC)',
        choices('device_bound_sessions'),
        values.device_bound_sessions,
        'Over HTTPS, Chrome binds the session to a key it keeps: a copied session cookie stops working.',
      ),
    ),
    h(
      'div',
      { class: 'field checkbox', 'data-field': 'terminate_other_sessions' },
      h('input', {
        id: 'stage-terminate_other_sessions',
        name: 'terminate_other_sessions',
        type: 'checkbox',
        checked: values.terminate_other_sessions,
      }),
      h('label', { for: 'stage-terminate_other_sessions' }, "End the user's other sessions on login"),
    ),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { class: 'button primary', type: 'submit' }, creating ? 'Create stage' : 'Save changes'),
      h('button', { class: 'button', type: 'button', onclick: () => closeEditor() }, 'Cancel'),
      creating
        ? null
        : h('button', { class: 'button danger', type: 'button', onclick: () => remove(stage) }, 'Delete stage'),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const payload = {};
    for (const name of FIELDS) payload[name] = fieldValue(form, name);
    const result = creating
      ? await api('/api/v3/stages/user_login/', { method: 'POST', body: payload })
      : await api(`/api/v3/stages/user_login/${stage.pk}/`, { method: 'PATCH', body: payload });
    if (result.status === 400 && result.data && typeof result.data === 'object') {
      (showErrors(form, result.data) ?? form.querySelector('.alert'))?.focus();
      return;
    }
    if (!result.ok) {
      form.prepend(h('div', { class: 'alert error', role: 'alert' }, errorText(result)));
      return;
    }
    closeEditor(false);
    await loadStages();
    announce(status, creating ? `Created ${result.data.name}.` : `Saved ${result.data.name}.`);
    // Back to the row that was edited (or created), where the person continues.
    (body.querySelector(`[data-stage="${result.data.pk}"] button`) ?? document.getElementById('new-stage')).focus();
  });
  editor.replaceChildren(form);
  editor.hidden = false;
  form.querySelector('h2').focus();
}

function closeEditor(moveFocus = true) {
  editor.hidden = true;
  editor.replaceChildren();
  if (moveFocus) document.getElementById('new-stage').focus();
}

async function remove(stage) {
  const confirmed = await confirmDialog({
    title: `Delete ${stage.name}?`,
    message: 'Flows that use this stage will stop at this step. This cannot be undone.',
    confirmLabel: 'Delete stage',
  });
  if (!confirmed) return;
  const result = await api(`/api/v3/stages/user_login/${stage.pk}/`, { method: 'DELETE' });
  if (!result.ok) return announce(status, `Could not delete: ${errorText(result)}`, 'error');
  closeEditor();
  await loadStages();
  announce(status, `Deleted ${stage.name}.`);
}

document.getElementById('new-stage').addEventListener('click', () => openEditor());
