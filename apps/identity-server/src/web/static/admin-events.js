// Admin: the event log, filterable by action and user, each event's context as pretty JSON in a
// full-width row that opens under the event.
import { announce, api, errorText, formatDate, h, showPagination } from './common.js';

const PAGE_SIZE = 20;
const body = document.querySelector('#events tbody');
const filters = document.getElementById('event-filters');
const range = document.getElementById('events-range');
const previous = document.getElementById('events-prev');
const next = document.getElementById('events-next');
const status = document.getElementById('status');
let page = 1;

function summary(event) {
  const context = event.context ?? {};
  if (typeof context.logout_reason === 'string') return context.logout_reason;
  if (context.binding?.reason) return `Binding: ${context.binding.reason}`;
  if (context.model?.name) return `${context.model.model_name ?? 'object'} ${context.model.name}`;
  if (typeof context.auth_method === 'string') return `Method: ${context.auth_method}`;
  return 'Details';
}

/**
 * Two rows per event: the summary, and below it a full-width row with the context as pretty JSON,
 * hidden until its button opens it (long binding and request details need the whole width).
 */
function rows(event) {
  const user = event.user?.username ?? '—';
  const contextId = `event-context-${event.pk}`;
  const toggle = h(
    'button',
    {
      class: 'link-button',
      type: 'button',
      'aria-expanded': 'false',
      'aria-controls': contextId,
      'aria-label': `${summary(event)}: context of ${event.action} event`,
    },
    h('span', { class: 'chevron', 'aria-hidden': 'true' }),
    summary(event),
  );
  const contextRow = h(
    'tr',
    { class: 'event-context', id: contextId, hidden: true },
    h(
      'td',
      { colspan: 5 },
      h(
        'pre',
        // A named region (a bare <pre> may not carry a name), focusable so it scrolls by keyboard.
        { tabindex: '0', role: 'region', 'aria-label': `Context of ${event.action} event` },
        JSON.stringify(event.context ?? {}, null, 2),
      ),
    ),
  );
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    contextRow.hidden = !open;
    mainRow.classList.toggle('expanded', open);
  });
  const mainRow = h(
    'tr',
    { 'data-event': event.pk },
    h(
      'td',
      { class: 'nowrap', 'data-label': 'When' },
      h('time', { datetime: event.created }, formatDate(event.created)),
    ),
    h('td', { 'data-label': 'Action' }, h('code', {}, event.action), h('span', { class: 'secondary' }, event.app)),
    h('td', { 'data-label': 'User' }, user),
    h('td', { 'data-label': 'Client IP' }, event.client_ip ? h('code', {}, event.client_ip) : '—'),
    h('td', { 'data-label': 'Details' }, toggle),
  );
  return [mainRow, contextRow];
}

/** Loads the current page of events with the filters from the form. */
export async function loadEvents() {
  const query = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  for (const name of ['action', 'username']) {
    const value = filters.elements[name].value.trim();
    if (value) query.set(name, value);
  }
  const result = await api(`/api/v3/events/events/?${query}`);
  if (!result.ok) return announce(status, `Could not load events: ${errorText(result)}`, 'error');
  const { pagination, results } = result.data;
  body.replaceChildren(
    ...(results.length
      ? results.flatMap(rows)
      : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No events match.'))]),
  );
  showPagination(pagination, { range, previous, next });
}

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  page = 1;
  void loadEvents();
});
filters.addEventListener('reset', () => {
  page = 1;
  // The reset clears the inputs after this handler; load once it has.
  setTimeout(() => void loadEvents());
});
previous.addEventListener('click', () => {
  page = Math.max(1, page - 1);
  void loadEvents();
});
next.addEventListener('click', () => {
  page += 1;
  void loadEvents();
});
