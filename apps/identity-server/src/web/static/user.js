// "My sessions": the signed-in user's sessions, with buttons to end them.
import { announce, api, deviceText, errorText, LOGOUT_PATH, setUpTopbar } from './common.js';
import { confirmDialog } from './confirm-dialog.js';
import { loadAllSessions, messageRow, sessionRows } from './sessions-table.js';

const body = document.querySelector('#sessions tbody');
const status = document.getElementById('status');
const endOthers = document.getElementById('end-others');
let sessions = [];

async function refresh() {
  const loaded = await loadAllSessions(api);
  if (loaded.error) {
    announce(status, `Could not load your sessions: ${errorText(loaded.error)}`, 'error');
    return;
  }
  sessions = loaded.sessions;
  // The current session first, then the most recently used.
  sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.last_used.localeCompare(a.last_used));
  body.replaceChildren(
    ...(sessions.length
      ? sessionRows(sessions, { onEnd: endOne, signOutPath: LOGOUT_PATH })
      : [messageRow(7, 'No sessions.')]),
  );
  endOthers.disabled = !sessions.some((s) => !s.current);
}

async function endOne(session) {
  const confirmed = await confirmDialog({
    title: 'End this session?',
    message: `${deviceText(session)} (${session.last_ip}) will be signed out and has to sign in again.`,
    confirmLabel: 'End session',
  });
  if (!confirmed) return;
  const result = await api(`/api/v3/core/authenticated_sessions/${session.uuid}/`, { method: 'DELETE' });
  // 404: it had already ended (elsewhere, or it expired), which is what the user wanted.
  await refresh();
  if (result.ok || result.status === 404) announce(status, 'Session ended.');
  else announce(status, `Could not end the session: ${errorText(result)}`, 'error');
  document.getElementById('main').focus();
}

async function endAllOthers() {
  const others = sessions.filter((s) => !s.current).length;
  const confirmed = await confirmDialog({
    title: 'End all other sessions?',
    message: `${others === 1 ? '1 other session' : `${others} other sessions`} will be signed out. This browser stays signed in.`,
    confirmLabel: 'End other sessions',
  });
  if (!confirmed) return;
  endOthers.setAttribute('aria-busy', 'true');
  // One request: the server spares the session this request comes with.
  const result = await api('/api/v3/core/authenticated_sessions/bulk_delete/?keep_current=true', { method: 'DELETE' });
  endOthers.removeAttribute('aria-busy');
  await refresh();
  if (!result.ok) announce(status, `Could not end the other sessions: ${errorText(result)}`, 'error');
  else
    announce(
      status,
      result.data.deleted === 1 ? 'Ended 1 other session.' : `Ended ${result.data.deleted} other sessions.`,
    );
  // The button is disabled now that no other session is left, so the focus cannot stay on it.
  document.getElementById('main').focus();
}

endOthers.addEventListener('click', endAllOthers);
await setUpTopbar('user');
await refresh();
