// Drives a flow through the executor API: fetch the challenge, render it, post the answer.
import { h, LOGIN_PATH } from './common.js';
import { checkbox, errorsOf, field, generalErrors, PROMPT_INPUTS } from './flow-fields.js';

const slug = decodeURIComponent(/^\/if\/flow\/([^/]+)\/?$/.exec(location.pathname)?.[1] ?? '');
const params = new URLSearchParams(location.search);
const next = params.get('next');

/**
 * Why the person is on the login page, by the code in `?reason=`. Only these sentences can
 * appear: the URL picks one, it never supplies the text.
 */
const SIGN_OUT_REASONS = {
  binding_broken:
    'You were signed out for your safety: this session is tied to the network or place where you signed in, and your connection now comes from somewhere else. Sign in again to continue.',
  signed_out: 'You have signed out.',
  ended_elsewhere:
    'You were signed out: this session was ended from another tab or browser, or by an administrator. Sign in again to continue.',
  expired: 'Your session has expired. Sign in again to continue.',
  ended: 'Your session has ended. Sign in again to continue.',
};
const reasonText = Object.hasOwn(SIGN_OUT_REASONS, params.get('reason'))
  ? SIGN_OUT_REASONS[params.get('reason')]
  : null;
const executorUrl = `/api/v3/flows/executor/${encodeURIComponent(slug)}/${next ? `?next=${encodeURIComponent(next)}` : ''}`;
const title = document.getElementById('flow-title');
const stage = document.getElementById('stage');
// What was last sent, so a form shown again with errors keeps what the person typed (never passwords).
let lastAnswer = {};

/** Only paths on this site: the server already checks, the page does not trust that blindly. */
function sameOriginPath(to) {
  return typeof to === 'string' && to.startsWith('/') && !to.startsWith('//') && !to.startsWith('/\\') ? to : '/';
}

/**
 * Browsers carry a URL's #fragment across redirects, so the login page still has the one the user
 * started from (e.g. /if/admin/#events); hand it on, as the server never sees it.
 */
function withFragment(path) {
  return path.includes('#') || !location.hash ? path : `${path}${location.hash}`;
}

async function call(body) {
  const response = await fetch(executorUrl, {
    method: body ? 'POST' : 'GET',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = typeof data.detail === 'string' ? data.detail : `The server answered ${response.status}.`;
    return {
      component: 'xak-page-error',
      error_message: response.status === 404 ? 'This sign-in flow does not exist.' : detail,
      // Starting a missing flow again finds it missing again: offer the sign-in page instead.
      missing: response.status === 404,
    };
  }
  return data;
}

function setTitle(text) {
  title.textContent = text;
  document.title = text;
}

/** A form whose submit posts `answer(form)` and renders what comes back. */
function form(label, children, answer) {
  const element = h('form', { 'aria-label': label, novalidate: true }, ...children);
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = element.querySelector('button[type=submit]');
    if (button) button.setAttribute('aria-busy', 'true');
    lastAnswer = answer(element, event.submitter);
    render(await call(lastAnswer));
  });
  return element;
}

/**
 * "Not you?": the server forgets this walk through the flow (never the login session), and the
 * flow starts again at identification with nothing typed in.
 */
async function startOver(button) {
  button.setAttribute('aria-busy', 'true');
  const response = await fetch(executorUrl, { method: 'DELETE', credentials: 'same-origin' }).catch(() => null);
  if (!response?.ok) {
    render({ component: 'xak-page-error', error_message: 'Could not start over. Reload the page and try again.' });
    return;
  }
  lastAnswer = {};
  render(await call());
}

function who(username) {
  return h(
    'div',
    { class: 'who' },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, (username || '?').slice(0, 1).toUpperCase()),
    h('span', {}, username),
    h(
      'button',
      { class: 'link-button not-you', type: 'button', onclick: (event) => startOver(event.currentTarget) },
      'Not you?',
    ),
  );
}

function identification(challenge) {
  const fields = challenge.user_fields ?? ['username'];
  const label =
    fields.includes('username') && fields.includes('email')
      ? 'Username or email'
      : fields.includes('email')
        ? 'Email'
        : 'Username';
  const enroll = challenge.enroll_url
    ? h(
        'p',
        { class: 'footer' },
        'No account yet? ',
        h('a', { href: `${challenge.enroll_url}${next ? `?next=${encodeURIComponent(next)}` : ''}` }, 'Create one'),
      )
    : null;
  // The reason is shown until the person answers the first step, and read with the field.
  const notice =
    reasonText && !challenge.response_errors && !lastAnswer.uid_field
      ? h('div', { class: 'alert info', id: 'sign-out-reason', 'data-reason': params.get('reason') }, reasonText)
      : null;
  return [
    notice,
    generalErrors(challenge, ['uid_field']),
    form(
      'Identify yourself',
      [
        field({
          name: 'uid_field',
          label,
          autocomplete: 'username',
          errors: errorsOf(challenge, 'uid_field'),
          autofocus: true,
          value: lastAnswer.uid_field,
          describedBy: notice ? 'sign-out-reason' : undefined,
        }),
        h('button', { class: 'button primary block', type: 'submit' }, 'Continue'),
      ],
      (f) => ({ component: 'ak-stage-identification', uid_field: f.elements.uid_field.value }),
    ),
    enroll,
  ];
}

function password(challenge) {
  return [
    who(challenge.pending_user),
    generalErrors(challenge, ['password']),
    form(
      'Enter your password',
      [
        field({
          name: 'password',
          label: 'Password',
          type: 'password',
          autocomplete: 'current-password',
          errors: errorsOf(challenge, 'password'),
          autofocus: true,
        }),
        h('button', { class: 'button primary block', type: 'submit' }, 'Sign in'),
      ],
      (f) => ({ component: 'ak-stage-password', password: f.elements.password.value }),
    ),
  ];
}

// Said before the first try, not only after a failure (the server's rules for new passwords).
const NEW_PASSWORD_HINT = 'At least 8 characters, and not only digits.';

function prompt(challenge) {
  const fields = (challenge.fields ?? []).toSorted((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const firstPassword = fields.find((f) => f.type === 'password')?.field_key;
  const inputs = fields.map((f, index) =>
    f.type === 'checkbox'
      ? checkbox(f, errorsOf(challenge, f.field_key))
      : field({
          name: f.field_key,
          label: f.label || f.field_key,
          ...(PROMPT_INPUTS[f.type] ?? PROMPT_INPUTS.text),
          required: Boolean(f.required),
          placeholder: f.placeholder || undefined,
          errors: errorsOf(challenge, f.field_key),
          autofocus: index === 0,
          value: challenge.response_errors ? lastAnswer[f.field_key] : undefined,
          hint: f.field_key === firstPassword ? NEW_PASSWORD_HINT : undefined,
        }),
  );
  const signIn =
    challenge.flow_info?.designation === 'enrollment'
      ? h(
          'p',
          { class: 'footer' },
          'Already have an account? ',
          h('a', { href: `${LOGIN_PATH}${next ? `?next=${encodeURIComponent(next)}` : ''}` }, 'Sign in'),
        )
      : null;
  return [
    generalErrors(
      challenge,
      fields.map((f) => f.field_key),
    ),
    form(
      'Your details',
      [...inputs, h('button', { class: 'button primary block', type: 'submit' }, 'Continue')],
      (f) => {
        const answer = { component: 'ak-stage-prompt' };
        for (const item of fields) {
          const control = f.elements[item.field_key];
          answer[item.field_key] = control.type === 'checkbox' ? control.checked : control.value;
        }
        return answer;
      },
    ),
    signIn,
  ];
}

/** "14 days", "12 hours", "30 minutes": a session length in the largest whole-ish unit. */
function lengthText(seconds) {
  const units = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size) {
      const count = Math.round(seconds / size);
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** "Yes keeps you signed in for 14 days; No, until you close the browser." when the server says the lengths. */
function rememberQuestion(challenge) {
  const yes = challenge.remember_me_seconds;
  const no = challenge.session_seconds;
  if (!Number.isFinite(yes) || !Number.isFinite(no)) {
    return 'Stay signed in on this device? Choose No on a shared or public computer.';
  }
  const noText = no > 0 ? `for ${lengthText(no)}` : 'until you close the browser';
  return `Yes keeps you signed in on this device for ${lengthText(yes)}; No, ${noText}. Choose No on a shared or public computer.`;
}

function userLogin(challenge) {
  return [
    who(challenge.pending_user),
    h('p', { id: 'remember-question' }, rememberQuestion(challenge)),
    generalErrors(challenge, []),
    form(
      'Choose whether to stay signed in',
      [
        h(
          'div',
          { class: 'actions', role: 'group', 'aria-labelledby': 'remember-question' },
          h('button', { class: 'button', type: 'submit', value: 'no' }, 'No'),
          h('button', { class: 'button primary', type: 'submit', value: 'yes', autofocus: true }, 'Yes'),
        ),
      ],
      (_f, submitter) => ({ component: 'ak-stage-user-login', remember_me: submitter?.value === 'yes' }),
    ),
  ];
}

function denied(challenge) {
  return [
    h('div', { class: 'alert error', role: 'alert' }, challenge.error_message || 'Access denied.'),
    challenge.missing
      ? h('a', { class: 'button block', href: LOGIN_PATH }, 'Go to sign in')
      : h('a', { class: 'button block', href: location.pathname + location.search }, 'Start again'),
  ];
}

const TITLES = {
  'ak-stage-user-login': 'Stay signed in?',
  'ak-stage-access-denied': 'Access denied',
  'xak-page-error': 'Something went wrong',
  'xak-flow-redirect': 'Redirecting…',
};

function render(challenge) {
  setTitle(TITLES[challenge.component] ?? challenge.flow_info?.title ?? 'Sign in');
  document.body.dataset.component = challenge.component ?? '';
  let content;
  switch (challenge.component) {
    case 'ak-stage-identification':
      content = identification(challenge);
      break;
    case 'ak-stage-password':
      content = password(challenge);
      break;
    case 'ak-stage-prompt':
      content = prompt(challenge);
      break;
    case 'ak-stage-user-login':
      content = userLogin(challenge);
      break;
    case 'ak-stage-access-denied':
    case 'xak-page-error':
      content = denied(challenge);
      break;
    case 'xak-flow-redirect':
      content = [h('p', { class: 'muted' }, 'Taking you there…')];
      location.assign(withFragment(sameOriginPath(challenge.to)));
      break;
    default:
      content = denied({ error_message: `This page cannot show the step "${challenge.component}".` });
  }
  stage.replaceChildren(...content.filter(Boolean));
  // Focus the first field with an error, else the autofocus element, else the heading (for screen readers).
  const target = stage.querySelector('[aria-invalid=true]') ?? stage.querySelector('[autofocus]');
  (target ?? title).focus();
}

render(slug ? await call() : { component: 'xak-page-error', error_message: 'No flow given.' });
