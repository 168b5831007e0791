/**
 * Load of an aggregate with 10,000 events on the PostgreSQL store: full replay (no snapshots)
 * and from a snapshot taken at the last event, against a raw pg SELECT of the same rows from the
 * library's own events table (pg parses the JSON columns, as it does for the library).
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
  dropSchema,
  pairedSpeedup,
  postgresVersion,
  randomPrefix,
  rawPgPool,
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
  const report = new BenchReport('postgres-load', `load of one aggregate with ${EVENTS} events`);
  const schema = randomPrefix('load').slice(0, -1);
  const pool = rawPgPool(2);
  const app = await createFluxApp(
    { eventStore: { type: 'postgres', url: config.postgresUrl, synchronize: true, schema } },
    { imports: [FluxModule.forFeature({ aggregates: [Ledger, SnapshotLedger] })] },
  );
  const full = app.get<AggregateRepository<Ledger>>(getAggregateRepositoryToken(Ledger));
  const snap = app.get<AggregateRepository<SnapshotLedger>>(
    getAggregateRepositoryToken(SnapshotLedger),
  );
  const table = `"${schema}"."flux_events"`;
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
            const { rows } = await pool.query(
              `SELECT * FROM ${table} WHERE aggregate_id = $1 ORDER BY version`,
              [FULL_ID],
            );
            let n = 0;
            for (const row of rows) n += row.data.cents >= 0 ? 1 : 0;
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
    await dropSchema(schema);
  }
  await report.finish({ postgres: await postgresVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
