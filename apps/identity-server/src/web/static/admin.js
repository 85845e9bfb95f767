// Admin page: one section at a time, chosen by the URL hash, loaded each time it is shown.
import { loadEvents } from './admin-events.js';
import { loadStages } from './admin-stages.js';
import { announce, api, errorText, LOGOUT_PATH, setUpTopbar } from './common.js';
import { loadAllSessions, messageRow, sessionRows } from './sessions-table.js';

const status = document.getElementById('status');
const SECTIONS = { stages: loadStages, sessions: loadSessions, events: loadEvents };

async function loadSessions() {
  const body = document.querySelector('#all-sessions tbody');
  const result = await loadAllSessions(api);
  if (result.error) return announce(status, `Could not load sessions: ${errorText(result.error)}`, 'error');
  body.replaceChildren(
    ...(result.sessions.length
      ? sessionRows(result.sessions, { showUser: true, onEnd: endSession, signOutPath: LOGOUT_PATH })
      : [messageRow(8, 'No sessions.')]),
  );
}

async function endSession(session) {
  const result = await api(`/api/v3/core/authenticated_sessions/${session.uuid}/`, { method: 'DELETE' });
  if (result.ok || result.status === 404) announce(status, `Ended a session of ${session.user?.username ?? 'a user'}.`);
  else announce(status, `Could not end the session: ${errorText(result)}`, 'error');
  await loadSessions();
}

async function show(focusHeading) {
  const name = location.hash.slice(1) in SECTIONS ? location.hash.slice(1) : 'stages';
  for (const section of Object.keys(SECTIONS)) {
    document.getElementById(`section-${section}`).hidden = section !== name;
    const link = document.querySelector(`.sidenav a[data-section="${section}"]`);
    if (section === name) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
  status.textContent = '';
  status.className = 'alert';
  if (focusHeading) document.getElementById(`${name}-title`).focus();
  // Reloaded on every visit: sessions and events change while the page is open.
  await SECTIONS[name]();
}

window.addEventListener('hashchange', () => void show(true));
await setUpTopbar('admin');
await show(false);
