/**
 * Page script: the global log, one aggregate's history, tabs and refresh (see `board-script.core.ts`).
 * @internal
 */
export const BOARD_SCRIPT_EVENTS = String.raw`
const feed = { before: null, older: null, last: 0, limit: 20 };
const history = { id: null, from: 1, next: null };

function eventsTable(events) {
  return table(['Position', 'Created', 'Aggregate', 'Version', 'Type', 'Data'], events.map((e) => ({
    id: e.eventId,
    cells: [
      el('strong', { text: e.position }),
      el('span', { class: 'muted', text: when(e.createdAt) }),
      el('button', { type: 'button', class: 'link', title: 'Show its history', text: e.aggregateName + ' · ' + e.aggregateId, onclick: () => showHistory(e.aggregateId) }),
      String(e.version),
      el('code', { text: e.type }),
      el('pre', { text: json(e.data) }),
    ],
  })));
}

async function loadEvents() {
  try {
    const page = await api('GET', '/events', { before: feed.before, limit: feed.limit });
    Object.assign(feed, { older: page.older, last: page.lastPosition });
    $('events-range').textContent = 'last position ' + page.lastPosition;
    $('events-older').disabled = !page.older;
    $('events-newer').disabled = feed.before === null;
    $('events').replaceChildren(page.events.length ? eventsTable(page.events) : empty('No event in this window.'));
  } catch (error) { fail(error); }
}

function showHistory(id) {
  Object.assign(history, { id, from: 1, next: null });
  $('history-id').value = id;
  return loadHistory().then(() => $('history').scrollIntoView({ block: 'nearest' }));
}

async function loadHistory() {
  if (!history.id) return;
  try {
    const page = await api('GET', '/aggregates/' + seg(history.id) + '/events', { fromVersion: history.from, limit: feed.limit });
    history.next = page.next;
    $('history-next').hidden = !page.next;
    $('history').replaceChildren(page.events.length ? eventsTable(page.events) : empty('No event for aggregate ' + page.aggregateId + '.'));
  } catch (error) { fail(error); }
}

$('events-older').addEventListener('click', () => { feed.before = feed.older; loadEvents(); });
$('events-newer').addEventListener('click', () => {
  const before = feed.before + feed.limit;
  feed.before = before > feed.last ? null : before;
  loadEvents();
});
$('history-next').addEventListener('click', () => { history.from = history.next; loadHistory(); });
$('history-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('history-id').value.trim();
  if (id) showHistory(id);
});

let tab = 'streams';
function refresh() {
  if (tab === 'streams') return Promise.all([loadStreams(), loadDead()]);
  return Promise.all([feed.before === null ? loadEvents() : null, loadHistory()]);
}
for (const button of document.querySelectorAll('.tab')) {
  button.addEventListener('click', () => {
    tab = button.dataset.tab;
    for (const b of document.querySelectorAll('.tab')) b.setAttribute('aria-selected', String(b === button));
    $('view-streams').hidden = tab !== 'streams';
    $('view-events').hidden = tab !== 'events';
    status('');
    refresh();
  });
}
$('refresh').addEventListener('click', () => { status(''); refresh(); });
setInterval(() => { if ($('auto').checked && !document.hidden) refresh(); }, 5000);
loadStreams();
`;
