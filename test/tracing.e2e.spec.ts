import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bank, isolation, MYSQL_URL, REDIS_URL } from './support/bank.js';
import { deleteKeys, dropTables } from './support/cleanup.js';
import { openAccounts } from './support/workload.js';

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  service: string;
}

const PRELOAD = fileURLToPath(new URL('./tracing/otel-file-export.mjs', import.meta.url));

/** Each service exports its spans to its own file through an SDK loaded before the app. */
function tracingEnv(dir: string, service: string): Record<string, string> {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(),
    SPAN_FILE: join(dir, `${service}.jsonl`),
    SPAN_SERVICE: service,
  };
}

function readSpans(dir: string): ExportedSpan[] {
  return ['command', 'read'].flatMap((service) => {
    const file = join(dir, `${service}.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExportedSpan);
  });
}

describe.each([
  ['stream', 'process bank-accounts', 'publish bank-accounts'],
  ['feed', 'process bank-read-balances', undefined],
] as const)('one trace from the command to the read model, %s mode', (mode, processName, hop) => {
  const names = isolation();
  const dir = mkdtempSync(join(tmpdir(), 'flux-spans-'));
  let bank: Bank | undefined;

  beforeAll(async () => {
    bank = await Bank.start({
      mode,
      redisUrl: REDIS_URL,
      ...names,
      env: { command: tracingEnv(dir, 'command'), read: tracingEnv(dir, 'read') },
    });
  }, 60_000);

  afterAll(async () => {
    await bank?.stop();
    await dropTables(MYSQL_URL, names.tablePrefix);
    await deleteKeys(REDIS_URL, names.keyPrefix);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('the read service handles the event as a child of the command service save', async () => {
    const [id] = await openAccounts(bank!.command.url, names.keyPrefix.slice(0, -1), 1);
    const handled = () =>
      readSpans(dir).find(
        (s) => s.service === 'read' && s.name === processName && s.traceId !== undefined,
      );
    await expect.poll(handled, { timeout: 20_000, message: bank!.output() }).toBeDefined();
    const spans = readSpans(dir);
    const save = spans.find(
      (s) => s.name === 'save account' && s.attributes['flux.aggregate.id'] === id,
    );
    expect(save?.service).toBe('command');
    const inTrace = spans.filter((s) => s.traceId === save!.traceId);
    const append = inTrace.find((s) => s.name === 'append account');
    expect(append?.parentSpanId).toBe(save!.spanId);
    const processed = inTrace.find((s) => s.name === processName);
    expect(processed?.service).toBe('read');
    if (hop) {
      // Command service: save → relay publish; read service: process, child of that publish.
      const publish = inTrace.find((s) => s.name === hop);
      expect(publish?.service).toBe('command');
      expect(publish?.parentSpanId).toBe(save!.spanId);
      expect(processed?.parentSpanId).toBe(publish!.spanId);
      expect(processed?.attributes).toMatchObject({
        'messaging.system': 'redis',
        'messaging.destination.name': 'bank-accounts',
        'messaging.message.id': publish!.attributes['messaging.message.id'],
      });
    } else {
      // The feed carries the context saved with the event: the handler is the save's child.
      expect(processed?.parentSpanId).toBe(save!.spanId);
    }
  }, 60_000);
});
