/**
 * AggregateRepository.save of one event on the PostgreSQL store, one writer and 16 concurrent
 * writers (each on its own aggregate, so no conflicts), against raw pg doing the same optimistic
 * append into a table with a unique (aggregate_id, version) key (a duplicate key would be the
 * conflict) and a BIGSERIAL position: the fastest correct raw write, one autocommit INSERT per
 * event, and the explicit BEGIN; INSERT; COMMIT. Neither raw write keeps the global log
 * gap-safe (a BIGSERIAL can commit out of order); the library's positions are.
 */
import { randomUUID } from 'node:crypto';
import {
  Aggregate,
  AggregateRepository,
  AggregateRoot,
  DomainEvent,
  EventHandler,
  FluxModule,
  getAggregateRepositoryToken,
} from 'nestjs-flux';
import {
  alternate,
  BenchReport,
  config,
  createFluxApp,
  dropSchema,
  perSecond,
  postgresVersion,
  randomPrefix,
  rawPgPool,
  scaled,
} from './support/index.js';

const SEQUENTIAL = scaled(1_000, 50);
const CONCURRENT = scaled(6_000, 200);
const WRITERS = 16;

@DomainEvent('BenchCredited')
class BenchCredited {
  constructor(readonly cents: number) {}
}

@Aggregate({ name: 'bench_account' })
class BenchAccount extends AggregateRoot {
  balance = 0;
  credit(cents: number) {
    this.apply(new BenchCredited(cents));
  }
  @EventHandler(BenchCredited) onCredited(e: BenchCredited) {
    this.balance += e.cents;
  }
}

/** Runs `total` operations split over `lanes` sequential lanes; returns ops/s. */
async function lanes(
  total: number,
  count: number,
  lane: (index: number, ops: number) => Promise<void>,
) {
  const per = Math.floor(total / count);
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => lane(i, per)));
  return perSecond(per * count, performance.now() - start);
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'postgres-save',
    `save of 1 event: ${SEQUENTIAL} sequential, ${CONCURRENT} by ${WRITERS} concurrent writers`,
  );
  const schema = randomPrefix('save').slice(0, -1);
  const pool = rawPgPool(WRITERS);
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const table = `"${schema}"."baseline_events"`;
  await pool.query(`CREATE TABLE ${table} (
    position BIGSERIAL PRIMARY KEY,
    event_id UUID NOT NULL UNIQUE,
    aggregate_id TEXT COLLATE "C" NOT NULL,
    aggregate_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    data JSON NOT NULL,
    metadata JSON NOT NULL,
    created_at TIMESTAMPTZ(3) NOT NULL,
    UNIQUE (aggregate_id, version)
  )`);
  const insert = {
    name: 'bench_baseline_insert',
    text: `INSERT INTO ${table} (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  };
  const values = (id: string, version: number) => [
    randomUUID(),
    id,
    'bench_account',
    version + 1,
    'BenchCredited',
    JSON.stringify({ cents: 1 }),
    '{}',
    new Date(),
  ];

  const app = await createFluxApp(
    { eventStore: { type: 'postgres', url: config.postgresUrl, synchronize: true, schema } },
    { imports: [FluxModule.forFeature({ aggregates: [BenchAccount] })] },
  );
  const repository = app.get<AggregateRepository<BenchAccount>>(
    getAggregateRepositoryToken(BenchAccount),
  );
  let run = 0;

  const libraryLane = async (id: string, ops: number) => {
    const account = repository.create(id);
    for (let i = 0; i < ops; i++) {
      account.credit(1);
      await repository.save(account);
    }
  };
  const autocommitLane = async (id: string, ops: number) => {
    for (let version = 0; version < ops; version++) {
      await pool.query({ ...insert, values: values(id, version) });
    }
  };
  const transactionLane = async (id: string, ops: number) => {
    for (let version = 0; version < ops; version++) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query({ ...insert, values: values(id, version) });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    }
  };

  try {
    const results: Record<string, number> = {};
    for (const [label, total, writers] of [
      ['sequential', SEQUENTIAL, 1],
      [`${WRITERS} writers`, CONCURRENT, WRITERS],
    ] as const) {
      const lane = (fn: (id: string, ops: number) => Promise<void>) => () =>
        lanes(total, writers, (i, ops) => fn(`acc-${run}-${i}`, ops)).finally(() => run++);
      const samples = await alternate(
        {
          library: lane(libraryLane),
          'raw INSERT': lane(autocommitLane),
          'raw BEGIN/INSERT/COMMIT': lane(transactionLane),
        },
        { label },
      );
      report.add({
        metric: `save 1 event, ${label} (vs autocommit INSERT)`,
        unit: 'saves/s',
        library: samples.library,
        baseline: samples['raw INSERT'],
        target: { kind: 'ratio', min: 0.8 },
      });
      report.add({
        metric: `save 1 event, ${label} (vs BEGIN; INSERT; COMMIT)`,
        unit: 'saves/s',
        library: samples.library,
        baseline: samples['raw BEGIN/INSERT/COMMIT'],
      });
      results[label] = report.rows.at(-1)!.library!;
    }
    report.add({
      metric: `library: ${WRITERS} writers / 1 writer`,
      unit: 'saves/s',
      library: results[`${WRITERS} writers`],
      baseline: results.sequential,
      target: { kind: 'ratio', min: 4 },
      note: 'baseline column is the library with one writer',
    });
  } finally {
    await app.close();
    await pool.end();
    await dropSchema(schema);
  }
  await report.finish({ postgres: await postgresVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
