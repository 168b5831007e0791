/**
 * AggregateRepository.save of one event on the MySQL store, one writer and 16 concurrent
 * writers (each on its own aggregate, so no conflicts), against a raw mysql2 transaction doing
 * the same optimistic append: BEGIN; INSERT the event with version = expected + 1 into a table
 * with a unique (aggregate_id, version) key; COMMIT — a duplicate key would be the conflict.
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
  const pool = rawMysqlPool(WRITERS);
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
    { eventStore: { type: 'mysql', url: config.mysqlUrl, synchronize: true, tablePrefix: prefix } },
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
  const baselineLane = async (id: string, ops: number) => {
    let version = 0;
    for (let i = 0; i < ops; i++) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        try {
          await conn.execute(insert, [
            randomUUID(),
            id,
            'bench_account',
            version + 1,
            'BenchCredited',
            JSON.stringify({ cents: 1 }),
            '{}',
            new Date(),
          ]);
          await conn.commit();
        } catch (error) {
          await conn.rollback();
          if ((error as { code?: string }).code === 'ER_DUP_ENTRY')
            throw new Error(`conflict on ${id} at ${version}`);
          throw error;
        }
      } finally {
        conn.release();
      }
      version++;
    }
  };

  try {
    const results: Record<string, number[]> = {};
    for (const [label, total, writers] of [
      ['sequential', SEQUENTIAL, 1],
      [`${WRITERS} writers`, CONCURRENT, WRITERS],
    ] as const) {
      const samples = await alternate(
        {
          library: () =>
            lanes(total, writers, (i, ops) => libraryLane(`acc-${run}-${i}`, ops)).finally(
              () => run++,
            ),
          baseline: () =>
            lanes(total, writers, (i, ops) => baselineLane(`acc-${run}-${i}`, ops)).finally(
              () => run++,
            ),
        },
        { label },
      );
      results[`library ${writers}`] = samples.library;
      results[`baseline ${writers}`] = samples.baseline;
      report.add({
        metric: `save 1 event, ${label}`,
        unit: 'saves/s',
        library: samples.library,
        baseline: samples.baseline,
        target: { kind: 'ratio', min: 0.8 },
      });
    }
    const one = report.rows[0].library!;
    const many = report.rows[1].library!;
    report.add({
      metric: `library: ${WRITERS} writers / 1 writer`,
      unit: 'saves/s',
      library: many,
      baseline: one,
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
