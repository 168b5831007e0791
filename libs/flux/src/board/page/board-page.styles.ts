/**
 * The page's stylesheet: plain CSS, no external font or asset.
 * @internal
 */
export const BOARD_STYLES = `
:root { --bg: #f4f5f8; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6eb;
  --accent: #3b5bdb; --warn: #d9480f; --danger: #c92a2a; --ok: #2b8a3e;
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
[hidden] { display: none !important; }
.top { display: flex; align-items: center; gap: 16px; padding: 10px 24px; background: #1d2330; color: #fff; }
.top h1 { font-size: 16px; margin: 0 12px 0 0; letter-spacing: 0.02em; }
.tabs { display: flex; gap: 4px; flex: 1; }
.tab { background: transparent; color: #cfd5e2; border: 0; padding: 6px 12px; border-radius: 6px; }
.tab[aria-selected='true'] { background: #36405a; color: #fff; }
.auto { color: #cfd5e2; font-size: 13px; display: flex; align-items: center; gap: 6px; }
main { padding: 16px 24px; max-width: 1400px; margin: 0 auto; }
button { font: inherit; border: 1px solid var(--line); background: #fff; color: var(--ink);
  padding: 4px 10px; border-radius: 6px; cursor: pointer; }
button:hover:not(:disabled) { border-color: #aab2c0; }
button:disabled { opacity: 0.45; cursor: default; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--danger); border-color: #f1c0c0; }
button.warn { color: var(--warn); border-color: #f5c9a8; font-weight: 600; }
button.link { border: 0; background: none; color: var(--accent); padding: 0; text-align: left; }
.card, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 14px 16px; margin-bottom: 14px; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.05); }
.card-head, .panel-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; margin-bottom: 10px; }
.card-head h2, .panel-head h2 { font-size: 15px; margin: 0; }
.card-head h2 { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.card-head button, .panel-head .end { margin-left: auto; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 999px; background: #eef1f6; color: var(--muted); }
.stats { display: flex; gap: 32px; margin: 0 0 12px; }
.stats div { display: flex; flex-direction: column-reverse; }
.stats dt { font-size: 12px; color: var(--muted); }
.stats dd { margin: 0; font-size: 18px; font-weight: 600; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 11px; text-transform: uppercase;
  letter-spacing: 0.05em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 7px 8px; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { margin: 0; max-height: 160px; max-width: 520px; overflow: auto; background: #f7f8fa;
  border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; white-space: pre-wrap; word-break: break-word; }
.num.hot { color: var(--warn); font-weight: 600; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
.error { color: var(--danger); }
.consumers { list-style: none; margin: 0; padding: 0; }
.actions { display: flex; gap: 6px; }
.pager { display: flex; gap: 8px; justify-content: flex-end; margin-top: 10px; }
.empty { color: var(--muted); margin: 4px 0; }
#history-id { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 260px; }
#status:empty { display: none; }
#status { margin-bottom: 14px; padding: 8px 12px; border-radius: 8px; }
#status.ok { background: #ebfbee; color: var(--ok); }
#status.error { background: #fff5f5; color: var(--danger); }
`;
