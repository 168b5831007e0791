/**
 * Helpers of the page script (plain browser JS, no template literals so it can live in a TS
 * string). Every value from the API reaches the DOM as a text node or through `setAttribute` of
 * a fixed attribute name: no HTML is ever parsed from data, so event data cannot inject markup.
 * @internal
 */
export const BOARD_SCRIPT_CORE = String.raw`
const base = location.pathname.replace(/\/+$/, '');
const $ = (id) => document.getElementById(id);

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children || []) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-flux-board'] = '1';
  const qs = query.toString();
  const res = await fetch(base + '/api' + path + (qs ? '?' + qs : ''), {
    method, headers, credentials: 'same-origin',
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || res.status + ' ' + res.statusText);
  return body;
}

const seg = (value) => encodeURIComponent(value);
function json(value) {
  const flat = JSON.stringify(value);
  return flat.length <= 60 ? flat : JSON.stringify(value, null, 2);
}
const when = (iso) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

function duration(ms) {
  if (ms <= 0) return '< 1 s';
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  if (s < 60) return Math.round(s) + ' s';
  if (s < 3600) return Math.round(s / 60) + ' min';
  if (s < 86400) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' d';
}

function status(text, kind) {
  const node = $('status');
  node.textContent = text || '';
  node.className = kind || '';
}
const fail = (error) => status(error && error.message ? error.message : String(error), 'error');

const num = (n) => el('span', { class: n > 0 ? 'num hot' : 'num', text: n });
const empty = (text) => el('p', { class: 'empty', text });

/** rows: arrays of cells, or { id, cells } to tag the row with data-id. */
function table(headers, rows) {
  const head = el('thead', null, [el('tr', null, headers.map((h) => el('th', { text: h })))]);
  const body = el('tbody', null, rows.map((row) => {
    const cells = Array.isArray(row) ? row : row.cells;
    return el('tr', { 'data-id': Array.isArray(row) ? null : row.id }, cells.map((c) => el('td', null, [c])));
  }));
  return el('table', null, [head, body]);
}
`;
