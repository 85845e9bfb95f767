// The sessions table shared by "My sessions" and the admin page.
import { deviceText, h, locationText, networkText, timeElement } from './common.js';

/** Every session on every page of the list (the API pages by 100 at most). */
export async function loadAllSessions(api) {
  const sessions = [];
  for (let page = 1; ; page++) {
    const result = await api(`/api/v3/core/authenticated_sessions/?page=${page}&page_size=100`);
    if (!result.ok) return { error: result, sessions };
    sessions.push(...result.data.results);
    if (!result.data.pagination.next) return { sessions };
  }
}

function expiresCell(session) {
  if (session.browser_session) {
    return h(
      'td',
      {},
      'When the browser closes',
      h('span', { class: 'secondary' }, 'Idle timeout ', timeElement(session.expires)),
    );
  }
  return h('td', {}, session.expires ? timeElement(session.expires) : 'Never');
}

/**
 * One row per session. `onEnd(session)` is called by the row's button; `current` rows get a
 * sign-out link instead, since ending the session this page runs on is signing out.
 */
export function sessionRows(sessions, { showUser = false, onEnd, signOutPath }) {
  return sessions.map((session) => {
    const device = deviceText(session);
    const network = networkText(session.asn);
    const action = session.current
      ? h('a', { class: 'button small', href: signOutPath }, 'Sign out')
      : h(
          'button',
          {
            class: 'button small danger',
            type: 'button',
            'aria-label': `End session: ${device}, ${session.last_ip}`,
            onclick: () => onEnd(session),
          },
          'End session',
        );
    return h(
      'tr',
      {
        class: session.current ? 'current' : undefined,
        'data-session': session.uuid,
        'aria-current': session.current ? 'true' : undefined,
      },
      showUser ? h('td', {}, session.user?.username ?? '—') : null,
      h(
        'td',
        {},
        device,
        session.current ? h('span', { class: 'badge' }, 'This session') : null,
        h('span', { class: 'secondary' }, 'Signed in ', timeElement(session.created)),
      ),
      h('td', {}, h('code', {}, session.last_ip)),
      h('td', {}, locationText(session.geo_ip)),
      h('td', {}, network.name, network.network ? h('span', { class: 'secondary' }, network.network) : null),
      h('td', {}, timeElement(session.last_used)),
      expiresCell(session),
      h('td', { class: 'actions' }, action),
    );
  });
}

/** A row that spans the table, for "loading" and "nothing here". */
export function messageRow(columns, text) {
  return h('tr', {}, h('td', { colspan: columns, class: 'empty' }, text));
}
