// Talks to the generated app started on the memory store (`node check-app.mjs <base url>`):
// waits for it to listen, opens an account through the generated service, reads it back and
// finds its event in the HTTP feed. Exits non-zero with the reason on any mismatch.
import assert from 'node:assert/strict';

const base = process.argv[2];
const deadline = Date.now() + 60_000;
for (;;) {
  try {
    await fetch(`${base}/`);
    break;
  } catch (error) {
    if (Date.now() > deadline)
      throw new Error(`the app did not listen on ${base} within 60 s`, { cause: error });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const created = await fetch(`${base}/accounts/a-1`, { method: 'POST' });
assert.equal(created.status, 201, await created.clone().text());
assert.deepEqual(await created.json(), { id: 'a-1', version: 1 });

const loaded = await fetch(`${base}/accounts/a-1`);
assert.deepEqual(await loaded.json(), { id: 'a-1', version: 1 });

const feed = await (await fetch(`${base}/events`)).json();
assert.deepEqual(
  feed.events.map((e) => [e.aggregate_id, e.aggregate_name, e.event_type, e.aggregate_version]),
  [['a-1', 'account', 'AccountCreated', 1]],
);
console.log('the app answers: account a-1 saved on the memory store and listed in the feed');
