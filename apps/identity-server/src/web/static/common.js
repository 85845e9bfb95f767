// Helpers shared by the web UI's pages. DOM is built with createElement, never innerHTML, so
// values from the server (user agents, names, event context) can never become markup.

export const LOGIN_PATH = '/flows/-/default/authentication/';
/** Signing out ends on the login page, which then says that the person signed out. */
export const LOGOUT_PATH = `/if/flow/default-invalidation-flow/?next=${encodeURIComponent(`${LOGIN_PATH}?reason=signed_out`)}`;

/** Builds an element: h('a', { href: '/x', class: 'button' }, 'text', child). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/**
 * The login page that brings the browser back here afterwards; `reason` is one of the codes the
 * login page knows (binding_broken, signed_out, ended_elsewhere, expired, ended).
 */
export function loginUrl(next = location.pathname + location.search + location.hash, reason) {
  return `${LOGIN_PATH}?next=${encodeURIComponent(next)}${reason ? `&reason=${reason}` : ''}`;
}

// When this page's own session runs out (its absolute or idle expiry), as far as the page knows.
let sessionEndsAt = null;

/** Tells the page when its session expires, so a later 401 can say "expired" rather than "ended elsewhere". */
export function rememberSessionEnd(iso) {
  sessionEndsAt = iso ? new Date(iso).getTime() : null;
}

/** Why a page that had a session just got a 401 for it. */
function signOutReason(data) {
  if (data?.code === 'session_binding_broken') return 'binding_broken';
  if (sessionEndsAt !== null && Date.now() >= sessionEndsAt - 5_000) return 'expired';
  return 'ended_elsewhere';
}

/**
 * Calls the JSON API with the session cookie. A 401 (session ended elsewhere, expired, or its
 * binding broke) sends the browser to the login page with the reason, since nothing on these
 * pages works without a session.
 */
export async function api(path, { method = 'GET', body, redirectOn401 = true } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && redirectOn401) {
    const data = await response.json().catch(() => null);
    location.assign(loginUrl(undefined, signOutReason(data)));
    return new Promise(() => {}); // the page is going away; nothing after this should run
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  return { ok: response.ok, status: response.status, data };
}

/** A short message for a failed API call. */
export function errorText(result) {
  const data = result.data ?? {};
  if (typeof data.detail === 'string') return data.detail;
  if (typeof data.message === 'string') return data.message;
  return `The server answered ${result.status}.`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'always' });
// Largest first. A unit is used from half a step below it (59.5 minutes is "1 hour", not
// "60 minutes"), and the count is rounded, not truncated (11 h 59 min is "12 hours").
const UNITS = [
  ['year', 365 * 24 * 3600, 30 * 24 * 3600],
  ['month', 30 * 24 * 3600, 7 * 24 * 3600],
  ['week', 7 * 24 * 3600, 24 * 3600],
  ['day', 24 * 3600, 3600],
  ['hour', 3600, 60],
  ['minute', 60, 1],
];

/** "3 minutes ago" / "in 2 days" for an ISO date. */
export function relativeTime(iso) {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  if (Math.abs(seconds) < 10) return 'just now';
  for (const [unit, size, below] of UNITS) {
    if (Math.abs(seconds) >= size - below / 2) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(seconds, 'second');
}

export const RELATIVE_TIME_REFRESH_MS = 30_000;
let refreshTimer = null;

/** Rewrites every relative time on the page from the clock, so "just now" does not stay "just now". */
export function refreshRelativeTimes(root = document) {
  for (const time of root.querySelectorAll('time[data-relative]')) time.textContent = relativeTime(time.dateTime);
}

/**
 * A <time> showing the relative time, with the exact one as its tooltip. The first one starts a
 * timer that keeps them all current; the dates themselves do not change, so nothing is re-fetched.
 */
export function timeElement(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  refreshTimer ??= setInterval(() => refreshRelativeTimes(), RELATIVE_TIME_REFRESH_MS);
  return h(
    'time',
    { datetime: iso, title: dateFormat.format(new Date(iso)), 'data-relative': true },
    relativeTime(iso),
  );
}

/** An absolute date for tables. */
export function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : '—';
}

/** An absolute date to the second, where two dates must be told apart (e.g. in button names). */
export function formatPreciseDate(iso) {
  return iso ? preciseFormat.format(new Date(iso)) : '';
}

// The API says "Other" for a browser or system its parser does not know.
const known = (family) => (family && family !== 'Other' ? family : '');

/** "Firefox 128 on Linux" from the API's parsed user agent; "Unknown browser" when it is not one we know. */
export function deviceText(session) {
  const agent = session.user_agent;
  if (!agent) return 'Unknown browser';
  const browserName = known(agent.browser?.family);
  const browser = browserName
    ? [browserName, (agent.browser.version ?? '').split('.')[0]].filter(Boolean).join(' ')
    : 'Unknown browser';
  const osName = known(agent.os?.family);
  return osName ? `${browser} on ${[osName, agent.os.version].filter(Boolean).join(' ')}` : browser;
}

const CONTINENTS = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
};
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code) {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "London, United Kingdom (Europe)" from a session's geo_ip, or a dash: names, not codes ("NA" reads as "not available"). */
export function locationText(geo) {
  if (!geo) return '—';
  const continent = CONTINENTS[geo.continent] ?? geo.continent ?? '';
  const place = [geo.city, geo.country ? countryName(geo.country) : ''].filter(Boolean).join(', ');
  return place ? `${place}${continent ? ` (${continent})` : ''}` : continent || '—';
}

/** "AS6805 Telefonica Germany" and its network, from a session's asn. */
export function networkText(asn) {
  if (!asn) return { name: '—', network: '' };
  return { name: `AS${asn.asn}${asn.as_org ? ` ${asn.as_org}` : ''}`, network: asn.network ?? '' };
}

/** Fills the shared top bar: who is signed in and whether the admin link shows. */
export async function setUpTopbar(current) {
  const result = await api('/api/v3/core/users/me/');
  const user = result.data?.user;
  if (!user) return null;
  const who = document.getElementById('signed-in-as');
  if (who) who.textContent = `Signed in as ${user.username}`;
  const adminLink = document.getElementById('nav-admin');
  if (adminLink) adminLink.hidden = !user.is_superuser;
  for (const link of document.querySelectorAll('.topbar nav a[data-page]')) {
    if (link.dataset.page === current) link.setAttribute('aria-current', 'page');
  }
  return user;
}

const DURATION_UNITS = {
  weeks: 'week',
  days: 'day',
  hours: 'hour',
  minutes: 'minute',
  seconds: 'second',
  milliseconds: 'millisecond',
  microseconds: 'microsecond',
};

/**
 * "1 day, 12 hours" for a stored duration such as `days=1;hours=12`; null for zero (the caller says
 * what zero means there) and the raw text for anything it cannot read.
 */
export function durationText(value) {
  const pairs = String(value ?? '')
    .split(/[,;]/)
    .map((pair) => pair.split('='))
    .filter((pair) => pair.length === 2);
  if (pairs.length === 0) return String(value ?? '');
  const parts = [];
  for (const [key, raw] of pairs) {
    const unit = DURATION_UNITS[key.trim()];
    const amount = Number(raw);
    if (!unit || !Number.isFinite(amount)) return String(value);
    if (amount !== 0) parts.push(`${amount} ${unit}${Math.abs(amount) === 1 ? '' : 's'}`);
  }
  return parts.length ? parts.join(', ') : null;
}

/** Shows "21–40 of 45" and enables Previous/Next from the API's `pagination`. */
export function showPagination(pagination, { range, previous, next }) {
  range.textContent = pagination.count
    ? `${pagination.start_index}–${pagination.end_index} of ${pagination.count}`
    : '';
  previous.disabled = !pagination.previous;
  next.disabled = !pagination.next;
}

/** Writes a message into a live region so screen readers announce it. */
export function announce(region, text, kind = 'ok') {
  region.className = `alert ${kind}`;
  region.textContent = text;
}

/**
 * Runs `refresh` when the tab comes back into view or the window regains focus (at most once per
 * second: both events fire together), and once a minute while the tab is visible, so a list
 * never shows for long a session that has ended elsewhere.
 */
export function refreshWhenSeen(refresh, { everyMs = 60_000 } = {}) {
  let last = 0;
  const run = () => {
    if (document.visibilityState !== 'visible' || Date.now() - last < 1_000) return;
    last = Date.now();
    void refresh();
  };
  document.addEventListener('visibilitychange', run);
  window.addEventListener('focus', run);
  setInterval(run, everyMs);
}

/**
 * Re-renders a list without losing the keyboard focus: when the focus was on a control inside an
 * item (`[data-key]`), the control with the same `data-focus-key` in the new item gets it back.
 */
export function keepingFocus(container, render) {
  const active = document.activeElement;
  const item = active && container.contains(active) ? active.closest('[data-key]') : null;
  const key = item?.getAttribute('data-key');
  const control = active?.getAttribute?.('data-focus-key');
  render();
  if (!key || !control) return;
  const again = container.querySelector(`[data-key="${CSS.escape(key)}"] [data-focus-key="${CSS.escape(control)}"]`);
  if (again) again.focus();
}
