/**
 * AggregateRepository.save of one event on the MySQL store, one writer and 16 concurrent
 * writers (each on its own aggregate, so no conflicts), against the fastest correct raw mysql2
 * write of the same optimistic append: one autocommit INSERT of the event with
 * version = expected + 1 into a table with a unique (aggregate_id, version) key (a duplicate key
 * would be the conflict; one statement is as atomic and durable as a transaction), and, shown
 * beside it, the same INSERT inside `BEGIN; …; COMMIT`. Library and baselines use pools of the
 * same size.
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
  dropTables,
  mariadbVersion,
  perSecond,
  randomPrefix,
  rawMysqlPool,
  scaled,
} from './support/index.js';

const SEQUENTIAL = scaled(2_000, 50);
const CONCURRENT = scaled(10_000, 200);
const WRITERS = 16;
/** Connections of the library's store pool and of the raw pool alike. */
const POOL_SIZE = WRITERS;

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
    'mysql-save',
    `save of 1 event: ${SEQUENTIAL} sequential, ${CONCURRENT} by ${WRITERS} concurrent writers`,
  );
  const prefix = randomPrefix('save');
  const pool = rawMysqlPool(POOL_SIZE);
  const table = `${prefix}baseline_events`;
  await pool.query(`CREATE TABLE \`${table}\` (
    position BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id CHAR(36) NOT NULL,
    aggregate_id VARCHAR(255) NOT NULL,
    aggregate_name VARCHAR(255) NOT NULL,
    version INT UNSIGNED NOT NULL,
    type VARCHAR(255) NOT NULL,
    data JSON NOT NULL,
    metadata JSON NOT NULL,
    created_at DATETIME(3) NOT NULL,
    UNIQUE KEY uq_event_id (event_id),
    UNIQUE KEY uq_stream (aggregate_id, version)
  ) ENGINE=InnoDB`);
  const insert = `INSERT INTO \`${table}\` (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

  const app = await createFluxApp(
    {
      eventStore: {
        type: 'mysql',
        url: config.mysqlUrl,
        synchronize: true,
        tablePrefix: prefix,
        poolSize: POOL_SIZE,
      },
    },
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
  const row = (id: string, version: number) => [
    randomUUID(),
    id,
    'bench_account',
    version,
    'BenchCredited',
    JSON.stringify({ cents: 1 }),
    '{}',
    new Date(),
  ];
  const conflict = (error: unknown, id: string, version: number) =>
    (error as { code?: string }).code === 'ER_DUP_ENTRY'
      ? new Error(`conflict on ${id} at ${version}`)
      : error;
  /** The fastest correct raw write: one autocommit INSERT (atomic and durable on its own). */
  const autocommitLane = async (id: string, ops: number) => {
    for (let version = 1; version <= ops; version++) {
      await pool.execute(insert, row(id, version)).catch((error: unknown) => {
        throw conflict(error, id, version - 1);
      });
    }
  };
  const transactionLane = async (id: string, ops: number) => {
    for (let version = 1; version <= ops; version++) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        try {
          await conn.execute(insert, row(id, version));
          await conn.commit();
        } catch (error) {
          await conn.rollback();
          throw conflict(error, id, version - 1);
        }
      } finally {
        conn.release();
      }
    }
  };

  try {
    const library: Record<number, number[]> = {};
    for (const [label, total, writers] of [
      ['sequential', SEQUENTIAL, 1],
      [`${WRITERS} writers`, CONCURRENT, WRITERS],
    ] as const) {
      const lanesOf = (lane: (id: string, ops: number) => Promise<void>) => () =>
        lanes(total, writers, (i, ops) => lane(`acc-${run}-${i}`, ops)).finally(() => run++);
      const samples = await alternate(
        {
          library: lanesOf(libraryLane),
          autocommit: lanesOf(autocommitLane),
          transaction: lanesOf(transactionLane),
        },
        { label },
      );
      library[writers] = samples.library;
      report.add({
        metric: `save 1 event, ${label} vs autocommit INSERT`,
        unit: 'saves/s',
        library: samples.library,
        baseline: samples.autocommit,
        ...(writers === 1 ? {} : { target: { kind: 'ratio' as const, min: 1 } }),
      });
      report.add({
        metric: `save 1 event, ${label} vs BEGIN; INSERT; COMMIT`,
        unit: 'saves/s',
        library: samples.library,
        baseline: samples.transaction,
        ...(writers === 1 ? { target: { kind: 'ratio' as const, min: 0.8 } } : {}),
      });
    }
    report.add({
      metric: `library: ${WRITERS} writers / 1 writer`,
      unit: 'saves/s',
      library: library[WRITERS],
      baseline: library[1],
      target: { kind: 'ratio', min: 4 },
      note: 'baseline column is the library with one writer',
    });
  } finally {
    await app.close();
    await pool.end();
    await dropTables(prefix);
  }
  await report.finish({ mariadb: await mariadbVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
