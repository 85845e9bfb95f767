// Helpers shared by the web UI's pages. DOM is built with createElement, never innerHTML, so
// values from the server (user agents, names, event context) can never become markup.

export const LOGIN_PATH = '/flows/-/default/authentication/';
export const LOGOUT_PATH = '/if/flow/default-invalidation-flow/';

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

/** The login page that brings the browser back here afterwards. */
export function loginUrl(next = location.pathname + location.search + location.hash) {
  return `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}

/**
 * Calls the JSON API with the session cookie. A 401 (signed out, session ended, or its binding
 * broke) sends the browser to the login page, since nothing on these pages works without a session.
 */
export async function api(path, { method = 'GET', body, redirectOn401 = true } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && redirectOn401) {
    location.assign(loginUrl());
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
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago" / "in 2 days" for an ISO date. */
export function relativeTime(iso) {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.trunc(seconds / size), unit);
  }
  return Math.abs(seconds) < 10 ? 'just now' : relativeFormat.format(seconds, 'second');
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

/** "Firefox 128 on Linux" from the API's parsed user agent. */
export function deviceText(session) {
  const agent = session.user_agent;
  if (!agent) return session.last_user_agent || 'Unknown device';
  const browser = [agent.browser.family, agent.browser.version.split('.')[0]].filter(Boolean).join(' ');
  const os = [agent.os.family, agent.os.version].filter(Boolean).join(' ');
  return `${browser} on ${os}`;
}

/** "Kassel, DE (EU)" from a session's geo_ip, or a dash. */
export function locationText(geo) {
  if (!geo) return '—';
  const place = [geo.city, geo.country].filter(Boolean).join(', ');
  return place ? `${place}${geo.continent ? ` (${geo.continent})` : ''}` : geo.continent || '—';
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
