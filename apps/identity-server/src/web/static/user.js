// "My sessions": the signed-in person's own sessions (`mine=true`, also for administrators), a
// page at a time, with buttons to end one or all others. The list refreshes when the tab is seen
// again, so a session ended elsewhere does not linger.
import {
  announce,
  api,
  deviceText,
  errorText,
  keepingFocus,
  LOGOUT_PATH,
  refreshWhenSeen,
  rememberSessionEnd,
  setUpTopbar,
  showPagination,
} from './common.js';
import { confirmDialog } from './confirm-dialog.js';
import { messageRow, sessionRows } from './sessions-table.js';

const PAGE_SIZE = 20;
const COLUMNS = 5;
const body = document.querySelector('#sessions tbody');
const status = document.getElementById('status');
const endOthers = document.getElementById('end-others');
const onlyOne = document.getElementById('only-session');
const heading = document.getElementById('sessions-title');
const pager = {
  nav: document.getElementById('sessions-pager'),
  range: document.getElementById('sessions-range'),
  previous: document.getElementById('sessions-prev'),
  next: document.getElementById('sessions-next'),
};
let page = 1;
let sessions = [];
let others = 0;

/** Loads the current page; returns false when it could not. */
async function refresh() {
  const query = new URLSearchParams({ mine: 'true', page: String(page), page_size: String(PAGE_SIZE) });
  const result = await api(`/api/v3/core/authenticated_sessions/?${query}`);
  if (!result.ok) {
    announce(status, `Could not load your sessions: ${errorText(result)}`, 'error');
    return false;
  }
  const { pagination, results } = result.data;
  if (results.length === 0 && page > 1) {
    page -= 1;
    return refresh();
  }
  // The current session first, then the most recently used.
  sessions = results.toSorted(
    (a, b) => Number(b.current) - Number(a.current) || b.last_used.localeCompare(a.last_used),
  );
  const current = sessions.find((s) => s.current);
  if (current) rememberSessionEnd(earliest(current.expires, current.idle_expires ?? current.idle_expires_at));
  // The list always holds the session this page runs on.
  others = Math.max(0, pagination.count - 1);
  keepingFocus(body, () =>
    body.replaceChildren(
      ...(sessions.length
        ? sessionRows(sessions, { onEnd: endOne, signOutPath: LOGOUT_PATH })
        : [messageRow(COLUMNS, 'No sessions.')]),
    ),
  );
  endOthers.hidden = others === 0;
  onlyOne.hidden = others !== 0;
  pager.nav.hidden = pagination.total_pages <= 1;
  showPagination(pagination, pager);
  return true;
}

function earliest(...dates) {
  const present = dates.filter(Boolean);
  return present.length ? present.reduce((a, b) => (a < b ? a : b)) : null;
}

/** Where the focus goes once a row is gone: the next row's button, else the list's heading. */
function focusAfterRemoval(index) {
  const buttons = [...body.querySelectorAll('[data-focus-key="end"]')];
  (buttons[Math.min(index, buttons.length - 1)] ?? heading).focus();
}

async function endOne(session) {
  const index = sessions.indexOf(session);
  const confirmed = await confirmDialog({
    title: 'End this session?',
    message: `${deviceText(session)} (${session.last_ip}) will be signed out and has to sign in again.`,
    confirmLabel: 'End session',
  });
  if (!confirmed) return;
  const result = await api(`/api/v3/core/authenticated_sessions/${session.uuid}/`, { method: 'DELETE' });
  await refresh();
  if (result.ok) announce(status, `Session ended: ${deviceText(session)} (${session.last_ip}).`);
  else if (result.status === 404)
    announce(status, 'That session had already ended (it expired or was ended elsewhere). The list is up to date.');
  else announce(status, `Could not end the session: ${errorText(result)}`, 'error');
  focusAfterRemoval(index);
}

async function endAllOthers() {
  // Count from a fresh list: the one on screen may be out of date.
  if (!(await refresh())) return;
  if (others === 0) {
    announce(status, 'There are no other sessions to end.');
    heading.focus();
    return;
  }
  const confirmed = await confirmDialog({
    title: 'End all other sessions?',
    message: `${others === 1 ? '1 other session' : `${others} other sessions`} will be signed out. This browser stays signed in.`,
    confirmLabel: 'End other sessions',
  });
  if (!confirmed) return;
  endOthers.setAttribute('aria-busy', 'true');
  // One request: the server spares the session this request comes with, and ends only the
  // caller's own sessions, administrators included.
  const result = await api('/api/v3/core/authenticated_sessions/bulk_delete/?keep_current=true', { method: 'DELETE' });
  endOthers.removeAttribute('aria-busy');
  page = 1;
  await refresh();
  if (!result.ok) announce(status, `Could not end the other sessions: ${errorText(result)}`, 'error');
  else
    announce(
      status,
      result.data.deleted === 1 ? 'Ended 1 other session.' : `Ended ${result.data.deleted} other sessions.`,
    );
  // The button is hidden now that no other session is left, so the focus goes to the list.
  heading.focus();
}

endOthers.addEventListener('click', endAllOthers);
pager.previous.addEventListener('click', () => {
  page = Math.max(1, page - 1);
  void refresh();
});
pager.next.addEventListener('click', () => {
  page += 1;
  void refresh();
});
await setUpTopbar('user');
await refresh();
refreshWhenSeen(refresh);
