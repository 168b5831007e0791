/**
 * Load of an aggregate with 10,000 events on the MySQL store: full replay (no snapshots) and
 * from a snapshot taken at the last event, against a raw mysql2 SELECT of the same rows from
 * the library's own events table (JSON columns parsed, as any reader must on MariaDB).
 */
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
  pairedSpeedup,
  randomPrefix,
  rawMysqlPool,
  scaled,
  time,
} from './support/index.js';

const EVENTS = scaled(10_000, 100);
const PER_SAVE = Math.min(1000, EVENTS);
const FULL_ID = 'ledger-full';
const SNAP_ID = 'ledger-snap';

@DomainEvent('LedgerPosted')
class LedgerPosted {
  constructor(
    readonly cents: number,
    readonly reference: string,
  ) {}
}

class LedgerState extends AggregateRoot {
  balance = 0;
  postings = 0;
  post(cents: number) {
    this.apply(new LedgerPosted(cents, `ref-${this.postings}`));
  }
  @EventHandler(LedgerPosted) onPosted(e: LedgerPosted) {
    this.balance += e.cents;
    this.postings++;
  }
}

@Aggregate({ name: 'bench_ledger' })
class Ledger extends LedgerState {}

@Aggregate({ name: 'bench_ledger_snap', snapshotEvery: PER_SAVE })
class SnapshotLedger extends LedgerState {}

async function main(): Promise<void> {
  const report = new BenchReport('mysql-load', `load of one aggregate with ${EVENTS} events`);
  const prefix = randomPrefix('load');
  const pool = rawMysqlPool(2);
  const app = await createFluxApp(
    { eventStore: { type: 'mysql', url: config.mysqlUrl, synchronize: true, tablePrefix: prefix } },
    { imports: [FluxModule.forFeature({ aggregates: [Ledger, SnapshotLedger] })] },
  );
  const full = app.get<AggregateRepository<Ledger>>(getAggregateRepositoryToken(Ledger));
  const snap = app.get<AggregateRepository<SnapshotLedger>>(
    getAggregateRepositoryToken(SnapshotLedger),
  );
  const table = eventsTable(prefix);
  try {
    for (const [repository, id] of [
      [full, FULL_ID],
      [snap, SNAP_ID],
    ] as [AggregateRepository<LedgerState>, string][]) {
      const ledger = repository.create(id);
      for (let i = 0; i < EVENTS; i++) {
        ledger.post(i % 1000);
        if ((i + 1) % PER_SAVE === 0 || i === EVENTS - 1) await repository.save(ledger);
      }
    }
    const expected = (await full.load(FULL_ID)).balance;
    // Loads are short: more rounds than the default keep the medians steady on a busy machine.
    const samples = await alternate(
      {
        'full replay': () =>
          time(async () => {
            const ledger = await full.load(FULL_ID);
            if (ledger.version !== EVENTS || ledger.balance !== expected)
              throw new Error('full replay: wrong state');
          }),
        snapshot: () =>
          time(async () => {
            const ledger = await snap.load(SNAP_ID);
            if (ledger.version !== EVENTS || ledger.balance !== expected)
              throw new Error('snapshot load: wrong state');
          }),
        'raw SELECT': () =>
          time(async () => {
            const [rows] = await pool.execute(
              `SELECT * FROM \`${table}\` WHERE aggregate_id = ? ORDER BY version`,
              [FULL_ID],
            );
            const list = rows as Record<string, unknown>[];
            let n = 0;
            for (const row of list) {
              const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
              if (typeof row.metadata === 'string') JSON.parse(row.metadata);
              n += data.cents >= 0 ? 1 : 0;
            }
            if (n !== EVENTS) throw new Error(`raw SELECT read ${n} rows`);
          }),
      },
      { rounds: config.rounds * 3 },
    );
    report.add({
      metric: `load ${EVENTS} events, full replay`,
      unit: 'ms',
      library: samples['full replay'],
      baseline: samples['raw SELECT'],
      ratio: pairedSpeedup(samples['raw SELECT'], samples['full replay']),
      note: 'ratio = baseline ms / library ms (speed ratio); no target',
    });
    report.add({
      metric: `load ${EVENTS} events from a snapshot`,
      unit: 'ms',
      library: samples.snapshot,
      baseline: samples['full replay'],
      ratio: pairedSpeedup(samples['full replay'], samples.snapshot),
      target: { kind: 'ratio', min: 20 },
      note: 'baseline column is the library full replay; ratio = how many times faster',
    });
  } finally {
    await app.close();
    await pool.end();
    await dropTables(prefix);
  }
  await report.finish({ mariadb: await mariadbVersion() });
}

/** The library's events table for a table prefix (see libs/flux/src/event-store/mysql). */
function eventsTable(prefix: string): string {
  return `${prefix}events`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
