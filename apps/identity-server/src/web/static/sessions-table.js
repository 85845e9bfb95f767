// The sessions list shared by "My sessions" and the admin page: a table on wide screens that the
// stylesheet turns into one card per session on phones (each cell carries its column's name).
import { deviceText, formatDate, formatPreciseDate, h, locationText, networkText, timeElement } from './common.js';

const NETWORK_BINDING = {
  bind_asn: 'network operator',
  bind_asn_network: 'network',
  bind_asn_network_ip: 'IP address',
};
const GEOIP_BINDING = {
  bind_continent: 'continent',
  bind_continent_country: 'country',
  bind_continent_country_city: 'city',
};

/** "Bound to its network operator and country" when the session has a binding, else null. */
export function bindingText(session) {
  const parts = [NETWORK_BINDING[session.network_binding], GEOIP_BINDING[session.geoip_binding]].filter(Boolean);
  if (parts.length === 0) return null;
  const text = `Bound to its ${parts.join(' and ')}`;
  return session.binding_mode === 'log' ? `${text} (moves are logged, not ended)` : text;
}

/** When a session ends if nobody uses it (issue 14's idle expiry), under whichever name the API gives it. */
function idleExpiry(session) {
  return session.idle_expires ?? session.idle_expires_at ?? null;
}

function secondary(...children) {
  return h('span', { class: 'secondary' }, ...children);
}

function expiresCell(session) {
  const idle = idleExpiry(session);
  const idleLine =
    idle && (!session.expires || idle < session.expires)
      ? secondary('Ends if unused until ', h('time', { datetime: idle }, formatDate(idle)))
      : null;
  if (session.browser_session) {
    // The server keeps a browser session only while it is used: whichever limit comes first.
    const unusedUntil = idle && idle < session.expires ? idle : session.expires;
    return [
      'When the browser closes',
      secondary('or if unused until ', h('time', { datetime: unusedUntil }, formatDate(unusedUntil))),
    ];
  }
  if (!session.expires) return ['Never', idleLine];
  return [timeElement(session.expires), secondary(formatDate(session.expires)), idleLine];
}

function lastUsedCell(session) {
  // The page itself just used the current session: "31 seconds ago" would be the server's write
  // interval speaking, not the person.
  if (session.current) return ['Now', secondary('this browser')];
  return [timeElement(session.last_used), secondary(formatDate(session.last_used))];
}

function whereCell(session) {
  const network = networkText(session.asn);
  const binding = bindingText(session);
  return [
    h('code', {}, session.last_ip),
    secondary(locationText(session.geo_ip)),
    network.name !== '—'
      ? secondary(network.name, network.network ? ` · ${network.network}` : '')
      : secondary('Network unknown'),
    binding ? secondary(binding) : null,
  ];
}

/**
 * One row per session. `onEnd(session)` is called by the row's button; `current` rows get a
 * sign-out link instead, since ending the session this page runs on is signing out. Button names
 * carry the sign-in time to the second, so two sessions of one browser and IP are told apart.
 */
export function sessionRows(sessions, { showUser = false, onEnd, signOutPath }) {
  return sessions.map((session) => {
    const device = deviceText(session);
    const signedIn = formatPreciseDate(session.created);
    // The name starts with the visible text (WCAG 2.5.3), then says whose and which.
    const owner = showUser ? ` of ${session.user_obj?.username ?? 'an unknown user'}` : '';
    const action = session.current
      ? h('a', { class: 'button small', href: signOutPath, 'data-focus-key': 'sign-out' }, 'Sign out')
      : h(
          'button',
          {
            class: 'button small danger',
            type: 'button',
            'data-focus-key': 'end',
            'aria-label': `End session${owner}: ${device}, ${session.last_ip}, signed in ${signedIn}`,
            onclick: () => onEnd(session),
          },
          'End session',
        );
    return h(
      'tr',
      {
        class: session.current ? 'current' : undefined,
        'data-session': session.uuid,
        'data-key': session.uuid,
        'aria-current': session.current ? 'true' : undefined,
      },
      showUser ? h('td', { 'data-label': 'User' }, session.user_obj?.username ?? '—') : null,
      h(
        'td',
        { 'data-label': 'Device' },
        h('span', { class: 'device' }, device),
        session.current ? h('span', { class: 'badge' }, 'This session') : null,
        // A login from a browser the user had not used before (no device cookie, no session from that IP).
        session.known_device === false ? h('span', { class: 'badge neutral' }, 'New device') : null,
        secondary('Signed in ', h('time', { datetime: session.created, title: signedIn }, formatDate(session.created))),
        session.device_bound ? secondary('Bound to this device’s key') : null,
      ),
      h('td', { 'data-label': 'Where' }, ...whereCell(session)),
      h('td', { 'data-label': 'Last used' }, ...lastUsedCell(session)),
      h('td', { 'data-label': 'Expires' }, ...expiresCell(session)),
      h('td', { class: 'actions' }, action),
    );
  });
}

/** A row that spans the table, for "loading" and "nothing here". */
export function messageRow(columns, text) {
  return h('tr', { class: 'message' }, h('td', { colspan: columns, class: 'empty' }, text));
}
