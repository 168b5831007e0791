/**
 * Two command-service processes on one database: each runs its own Nest app on the same MySQL
 * store tables and saves one event per command with 16 concurrent writers. Processes cannot
 * share a transaction, so their groups take turns on the sequence row lock. Baseline: two
 * processes doing the fastest correct raw write (an autocommit INSERT per save, 16 connections
 * each) into a table of the same shape. The figure is the saves of both processes per second.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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

const PROCESSES = 2;
const WRITERS = 16;
const SAVES = scaled(5_000, 200);

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

type Command = { kind: 'library' | 'baseline'; run: number };

/** A child: connects, says 'ready', then runs each command it is sent and answers its ms. */
async function child(prefix: string, index: number): Promise<void> {
  const app = await createFluxApp(
    {
      eventStore: { type: 'mysql', url: config.mysqlUrl, tablePrefix: prefix, poolSize: WRITERS },
    },
    { imports: [FluxModule.forFeature({ aggregates: [BenchAccount] })] },
  );
  const repository = app.get<AggregateRepository<BenchAccount>>(
    getAggregateRepositoryToken(BenchAccount),
  );
  const pool = rawMysqlPool(WRITERS);
  const insert = `INSERT INTO \`${prefix}baseline_events\` (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  const per = Math.floor(SAVES / PROCESSES / WRITERS);
  const lanes: Record<Command['kind'], (id: string) => Promise<void>> = {
    library: async (id) => {
      const account = repository.create(id);
      for (let i = 0; i < per; i++) {
        account.credit(1);
        await repository.save(account);
      }
    },
    baseline: async (id) => {
      for (let version = 1; version <= per; version++) {
        const row = [randomUUID(), id, 'bench_account', version, 'BenchCredited', '{"cents":1}'];
        await pool.execute(insert, [...row, '{}', new Date()]);
      }
    },
  };
  process.on('message', (command: Command | 'exit') => {
    if (command === 'exit') {
      void Promise.all([app.close(), pool.end()]).then(() => process.exit(0));
      return;
    }
    const start = performance.now();
    void Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        lanes[command.kind](`p${index}-${command.run}-${w}`),
      ),
    ).then(
      () => process.send?.({ ms: performance.now() - start, saves: per * WRITERS }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  });
  process.send?.('ready');
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'mysql-save-processes',
    `${PROCESSES} processes × ${WRITERS} writers on one database, ${SAVES} saves of 1 event`,
  );
  const prefix = randomPrefix('procs');
  // The first app creates the store's tables; the children connect to them.
  const setup = await createFluxApp({
    eventStore: { type: 'mysql', url: config.mysqlUrl, synchronize: true, tablePrefix: prefix },
  });
  await setup.close();
  const pool = rawMysqlPool(1);
  await pool.query(`CREATE TABLE \`${prefix}baseline_events\` (
    position BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id CHAR(36) NOT NULL, aggregate_id VARCHAR(255) NOT NULL,
    aggregate_name VARCHAR(255) NOT NULL, version INT UNSIGNED NOT NULL,
    type VARCHAR(255) NOT NULL, data JSON NOT NULL, metadata JSON NOT NULL,
    created_at DATETIME(3) NOT NULL,
    UNIQUE KEY uq_event_id (event_id), UNIQUE KEY uq_stream (aggregate_id, version)
  ) ENGINE=InnoDB`);
  await pool.end();

  const script = fileURLToPath(import.meta.url);
  const children = Array.from({ length: PROCESSES }, (_, i) =>
    fork(script, ['--child', prefix, String(i)], { stdio: 'inherit' }),
  );
  const ask = (command: Command) =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<{ ms: number; saves: number }>((resolve, reject) => {
            c.once('message', (m: { ms: number; saves: number; error?: string }) =>
              m.error ? reject(new Error(m.error)) : resolve(m),
            );
            c.send(command);
          }),
      ),
    ).then((results) =>
      perSecond(
        results.reduce((sum, r) => sum + r.saves, 0),
        Math.max(...results.map((r) => r.ms)),
      ),
    );
  let run = 0;
  try {
    await Promise.all(
      children.map((c) => new Promise((resolve) => c.once('message', () => resolve(undefined)))),
    );
    const samples = await alternate(
      {
        library: () => ask({ kind: 'library', run: run++ }),
        baseline: () => ask({ kind: 'baseline', run: run++ }),
      },
      { label: `${PROCESSES} processes` },
    );
    report.add({
      metric: `save 1 event, ${PROCESSES} processes × ${WRITERS} writers vs autocommit INSERT`,
      unit: 'saves/s',
      library: samples.library,
      baseline: samples.baseline,
    });
  } finally {
    for (const c of children) c.send('exit');
    await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
    await dropTables(prefix);
  }
  await report.finish({ mariadb: await mariadbVersion() });
}

const [flag, prefix, index] = process.argv.slice(2);
(flag === '--child' ? child(prefix, Number(index)) : main()).catch((error) => {
  console.error(error);
  process.exitCode = 1;
  if (flag === '--child') process.exit(1);
});
