/**
 * The page's body, before the script; every dynamic part is filled in by the script.
 * @internal
 */
export const BOARD_MARKUP = `
<header class="top">
  <h1>Flux board</h1>
  <nav class="tabs" role="tablist">
    <button type="button" class="tab" role="tab" data-tab="streams" aria-selected="true">Streams</button>
    <button type="button" class="tab" role="tab" data-tab="events" aria-selected="false">Events</button>
  </nav>
  <label class="auto"><input type="checkbox" id="auto" checked> Auto-refresh</label>
  <button type="button" id="refresh">Refresh</button>
</header>
<main>
  <div id="status" role="status" aria-live="polite"></div>
  <section id="view-streams">
    <div id="streams"><p class="empty">Loading…</p></div>
    <section id="dead" class="panel" hidden>
      <div class="panel-head">
        <h2 id="dead-title">Dead letters</h2>
        <button type="button" id="dead-close" class="end">Close</button>
      </div>
      <div id="dead-body"></div>
      <div class="pager">
        <button type="button" id="dead-first">First page</button>
        <button type="button" id="dead-next">Next page</button>
      </div>
    </section>
  </section>
  <section id="view-events" hidden>
    <section class="panel">
      <div class="panel-head"><h2>Latest events</h2><span id="events-range" class="muted end"></span></div>
      <div id="events"></div>
      <div class="pager">
        <button type="button" id="events-newer">Newer</button>
        <button type="button" id="events-older">Older</button>
      </div>
    </section>
    <section class="panel">
      <form id="history-form" class="panel-head">
        <h2>Aggregate history</h2>
        <input id="history-id" placeholder="aggregate id" aria-label="Aggregate id" required>
        <button type="submit">Show history</button>
      </form>
      <div id="history"></div>
      <div class="pager"><button type="button" id="history-next" hidden>Next page</button></div>
    </section>
  </section>
</main>
`;
