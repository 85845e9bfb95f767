// Admin page: one section at a time, chosen by the URL hash, loaded each time it is shown.
import { loadEvents } from './admin-events.js';
import { loadSessions } from './admin-sessions.js';
import { loadStages } from './admin-stages.js';
import { refreshWhenSeen, setUpTopbar } from './common.js';

const status = document.getElementById('status');
const SECTIONS = { stages: loadStages, sessions: loadSessions, events: loadEvents };

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
// Sessions change elsewhere: reload that list when the tab is seen again (the others only on request,
// so an open stage form is never thrown away).
refreshWhenSeen(async () => {
  if (!document.getElementById('section-sessions').hidden) await loadSessions();
});
