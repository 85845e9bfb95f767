// Admin: everyone's sessions, one page at a time, narrowed by username and a search box.
import { announce, api, deviceText, errorText, keepingFocus, LOGOUT_PATH, showPagination } from './common.js';
import { confirmDialog } from './confirm-dialog.js';
import { messageRow, sessionRows } from './sessions-table.js';

const PAGE_SIZE = 20;
const body = document.querySelector('#all-sessions tbody');
const filters = document.getElementById('session-filters');
const pager = {
  range: document.getElementById('sessions-range'),
  previous: document.getElementById('sessions-prev'),
  next: document.getElementById('sessions-next'),
};
const status = document.getElementById('status');
let page = 1;

/** The API query for the current page and the filter form (the API's own parameter names). */
function query() {
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  for (const name of ['user__username', 'search', 'ordering']) {
    const value = filters.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

/** Loads the current page of sessions with the filters from the form. */
export async function loadSessions() {
  const result = await api(`/api/v3/core/authenticated_sessions/?${query()}`);
  if (!result.ok) return announce(status, `Could not load sessions: ${errorText(result)}`, 'error');
  const { pagination, results } = result.data;
  // The last session of the last page was ended: show the page before instead of an empty one.
  if (results.length === 0 && page > 1) {
    page -= 1;
    return loadSessions();
  }
  const filtered = [...query().keys()].some((key) => key === 'user__username' || key === 'search');
  keepingFocus(body, () =>
    body.replaceChildren(
      ...(results.length
        ? sessionRows(results, { showUser: true, onEnd: endSession, signOutPath: LOGOUT_PATH })
        : [messageRow(6, filtered ? 'No sessions match.' : 'No sessions.')]),
    ),
  );
  showPagination(pagination, pager);
}

async function endSession(session) {
  const username = session.user_obj?.username ?? 'this user';
  const confirmed = await confirmDialog({
    title: `End ${username}'s session?`,
    message: `${deviceText(session)} (${session.last_ip}) will be signed out and has to sign in again.`,
    confirmLabel: 'End session',
  });
  if (!confirmed) return;
  const index = [...body.querySelectorAll('[data-focus-key="end"]')].findIndex((el) =>
    el.closest(`[data-session="${session.uuid}"]`),
  );
  const result = await api(`/api/v3/core/authenticated_sessions/${session.uuid}/`, { method: 'DELETE' });
  await loadSessions();
  if (result.ok) announce(status, `Ended a session of ${username}.`);
  else if (result.status === 404)
    announce(status, `That session of ${username} had already ended (it expired or was ended elsewhere).`);
  else announce(status, `Could not end the session: ${errorText(result)}`, 'error');
  // The next row's button, else the heading: never the whole page.
  const buttons = [...body.querySelectorAll('[data-focus-key="end"]')];
  (buttons[Math.min(Math.max(index, 0), buttons.length - 1)] ?? document.getElementById('sessions-title')).focus();
}

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  page = 1;
  void loadSessions();
});
// A new sort order needs no Filter click.
filters.elements.ordering.addEventListener('change', () => filters.requestSubmit());
filters.addEventListener('reset', () => {
  page = 1;
  // The reset clears the inputs after this handler; load once it has.
  setTimeout(() => void loadSessions());
});
pager.previous.addEventListener('click', () => {
  page = Math.max(1, page - 1);
  void loadSessions();
});
pager.next.addEventListener('click', () => {
  page += 1;
  void loadSessions();
});
