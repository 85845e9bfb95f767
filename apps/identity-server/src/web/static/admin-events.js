// Admin: the event log, filterable by action and user, each event's context as pretty JSON.
import { announce, api, errorText, formatDate, h } from './common.js';

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

function row(event) {
  const user = event.user?.username ?? '—';
  return h(
    'tr',
    { 'data-event': event.pk },
    h('td', { class: 'nowrap' }, h('time', { datetime: event.created }, formatDate(event.created))),
    h('td', {}, h('code', {}, event.action), h('span', { class: 'secondary' }, event.app)),
    h('td', {}, user),
    h('td', {}, event.client_ip ? h('code', {}, event.client_ip) : '—'),
    h(
      'td',
      {},
      h(
        'details',
        {},
        h('summary', {}, summary(event)),
        h(
          'pre',
          { tabindex: '0', 'aria-label': `Context of ${event.action} event` },
          JSON.stringify(event.context ?? {}, null, 2),
        ),
      ),
    ),
  );
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
    ...(results.length ? results.map(row) : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No events match.'))]),
  );
  range.textContent = pagination.count
    ? `${pagination.start_index}–${pagination.end_index} of ${pagination.count}`
    : '';
  previous.disabled = !pagination.previous;
  next.disabled = !pagination.next;
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
