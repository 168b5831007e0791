import { randomBytes } from 'node:crypto';
import { call } from './http-client.js';

/** What the scenario did, for the summary. */
export interface ScenarioResult {
  accounts: string[];
  log: string[];
}

/**
 * A short day at the bank: a few accounts, credits and debits, a burst of concurrent credits on
 * one account (retried on conflicts by the service), a refused overdraft and a stale If-Match.
 */
export async function runScenario(commandUrl: string): Promise<ScenarioResult> {
  // A suffix per run, so a rerun against MySQL does not collide with the previous run's accounts.
  const run = randomBytes(3).toString('hex');
  const log: string[] = [];
  const note = (line: string) => log.push(line);
  const url = (path: string) => `${commandUrl}${path}`;
  const owners = ['alice', 'bob', 'carol', 'dave'];
  const accounts = owners.map((owner) => `${owner}-${run}`);

  for (const [i, id] of accounts.entries()) {
    const res = await call('POST', url('/accounts'), { id, owner: owners[i] });
    note(`open ${id}: ${res.status}`);
  }
  const [alice, bob, carol, dave] = accounts;
  const credit = (id: string, amount: number, headers?: Record<string, string>) =>
    call('POST', url(`/accounts/${id}/credit`), { amount }, headers);
  const debit = (id: string, amount: number, headers?: Record<string, string>) =>
    call('POST', url(`/accounts/${id}/debit`), { amount }, headers);

  await credit(alice, 10_000);
  await credit(bob, 5_000);
  await credit(carol, 2_500);
  await debit(alice, 1_250);
  note('credits and debits: 200');

  const burst = await Promise.all(Array.from({ length: 20 }, () => credit(dave, 100)));
  note(`20 concurrent credits of 100 on ${dave}: ${summarize(burst.map((r) => r.status))}`);

  const overdraft = await debit(carol, 1_000_000);
  note(`overdraft on ${carol}: ${overdraft.status} ${overdraft.body?.message}`);

  const seen = await call('GET', url(`/accounts/${bob}`));
  await debit(bob, 500, { 'if-match': seen.etag! });
  const stale = await debit(bob, 500, { 'if-match': seen.etag! });
  note(`debit ${bob} with a stale If-Match ${seen.etag}: ${stale.status} ${stale.body?.message}`);

  const badAmount = await credit(alice, -5);
  note(`credit of -5: ${badAmount.status} ${badAmount.body?.message}`);
  return { accounts, log };
}

function summarize(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n}× ${status}`).join(', ');
}
