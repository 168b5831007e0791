/**
 * Page script: the streams view and a stream's dead letters (see `board-script.core.ts`).
 * @internal
 */
export const BOARD_SCRIPT_STREAMS = String.raw`
const dead = { stream: null, after: null, next: null };

async function loadStreams() {
  try {
    const { streams } = await api('GET', '/streams');
    $('streams').replaceChildren(...(streams.length ? streams.map(streamCard) : [empty('No stream is registered.')]));
  } catch (error) { fail(error); }
}

function stat(label, value) {
  return el('div', null, [el('dt', { text: label }), el('dd', { text: value })]);
}

function streamCard(s) {
  const deadButton = el('button', {
    type: 'button', class: s.deadLetters > 0 ? 'warn' : null,
    text: 'Dead letters (' + s.deadLetters + ')', onclick: () => openDead(s.stream),
  });
  const head = el('div', { class: 'card-head' }, [
    el('h2', { text: s.stream }),
    el('span', { class: 'badge', text: 'pool ' + s.pool }),
    s.exists || s.error ? null : el('span', { class: 'badge', text: 'not created yet' }),
    deadButton,
  ]);
  const stats = el('dl', { class: 'stats' }, [
    stat('Length', s.len),
    stat('Oldest event', s.len > 0 ? duration(s.oldestEventSeconds * 1000) : '—'),
    stat('Groups', s.groups.length),
    s.partitions ? stat('Partitions', s.partitions.length) : null,
    stat('Dead letters', s.deadLetters),
  ]);
  return el('article', { class: 'card', 'data-stream': s.stream }, [
    head, stats,
    s.error ? el('p', { class: 'error', text: s.error }) : null,
    s.groups.length ? groupsTable(s.groups) : null,
    s.partitions ? partitionsTable(s.partitions) : null,
  ]);
}

function partitionsTable(partitions) {
  const rows = partitions.flatMap((p) => (p.groups.length ? p.groups : [null]).map((g) => ({
    id: p.partition + (g ? '/' + g.group : ''),
    cells: [
      el('code', { text: p.partition }), num(p.len), g ? el('strong', { text: g.group }) : el('span', { class: 'muted', text: '—' }),
      g ? num(g.lag) : '', g ? num(g.pending) : '',
      g && g.holder ? el('code', { text: g.holder }) : el('span', { class: g ? 'warn' : 'muted', text: g ? 'nobody' : '' }),
    ],
  })));
  return table(['Partition', 'Length', 'Group', 'Lag', 'Pending', 'Holder'], rows);
}

function idAndAge(id, ms) {
  return el('span', null, [el('code', { text: id }), ms > 0 ? el('span', { class: 'muted', text: ' · ' + duration(ms) + ' ago' }) : null]);
}

function groupsTable(groups) {
  return table(['Group', 'Lag', 'Pending', 'Last delivered', 'Oldest pending', 'Consumers'], groups.map((g) => ({
    id: g.group,
    cells: [
      el('strong', { text: g.group }), num(g.lag), num(g.pending),
      idAndAge(g.lastDeliveredId, g.lastDeliveredDuration),
      g.lowerId ? idAndAge(g.lowerId, g.lowerDuration) : el('span', { class: 'muted', text: '—' }),
      g.consumers.length ? el('ul', { class: 'consumers' }, g.consumers.map((c) => el('li', null, [
        el('code', { text: c.name }), ' pending ', num(c.pending),
        el('span', { class: 'muted', text: ' · idle ' + duration(c.idle) }),
      ]))) : el('span', { class: 'muted', text: 'none' }),
    ],
  })));
}

function openDead(stream) {
  Object.assign(dead, { stream, after: null, next: null });
  $('dead').hidden = false;
  loadDead().then(() => $('dead').scrollIntoView({ block: 'nearest' }));
}

async function loadDead() {
  if (!dead.stream) return;
  try {
    const page = await api('GET', '/streams/' + seg(dead.stream) + '/dead', { after: dead.after, limit: 20 });
    $('dead-title').textContent = 'Dead letters of ' + page.stream + ' (' + page.total + ')';
    dead.next = page.next;
    $('dead-next').disabled = !page.next;
    $('dead-first').disabled = !dead.after;
    $('dead-body').replaceChildren(page.letters.length
      ? table(['Failed', 'Error', 'Original message', 'Body', ''], page.letters.map(letterRow))
      : empty('No dead letter.'));
  } catch (error) { fail(error); }
}

function letterRow(d) {
  const tags = Object.entries(d.tags).map(([k, v]) => el('div', { class: 'muted nowrap' }, [k + ': ', el('code', { text: v })]));
  return { id: d.id, cells: [
    el('div', null, [el('code', { text: d.id }), el('div', { class: 'muted', text: d.failedAt ? when(d.failedAt) : '' })]),
    el('div', null, [el('div', { class: 'error', text: d.error }), el('div', { class: 'muted', text: 'group ' + d.group + ' · ' + d.consumer })]),
    el('div', null, [el('code', { text: d.originalId }), ...tags]),
    d.bodyError ? el('span', { class: 'error', text: 'undecodable body: ' + d.bodyError }) : el('pre', { text: json(d.body) }),
    el('div', { class: 'actions' }, [
      el('button', { type: 'button', class: 'primary', text: 'Replay', onclick: () => mutate('POST', d.id, '/replay') }),
      el('button', { type: 'button', class: 'danger', text: 'Delete', onclick: () => mutate('DELETE', d.id, '') }),
    ]),
  ] };
}

async function mutate(method, id, suffix) {
  if (method === 'DELETE' && !confirm('Delete dead letter ' + id + ' of ' + dead.stream + ' for good?')) return;
  try {
    const result = await api(method, '/streams/' + seg(dead.stream) + '/dead/' + seg(id) + suffix);
    status(method === 'POST' ? 'Replayed ' + id + ' to ' + dead.stream + ' as ' + result.id + '.' : 'Deleted ' + id + '.', 'ok');
  } catch (error) { fail(error); }
  await Promise.all([loadDead(), loadStreams()]);
}

$('dead-close').addEventListener('click', () => { dead.stream = null; $('dead').hidden = true; });
$('dead-next').addEventListener('click', () => { dead.after = dead.next; loadDead(); });
$('dead-first').addEventListener('click', () => { dead.after = null; loadDead(); });
`;
