/**
 * Where one sequential append's time goes on the MySQL store, beside the raw baselines of
 * bench/mysql-save.bench.ts: round trips and statements per save (counted on the connection),
 * server time per statement (`SHOW PROFILES`: the COMMIT's share is the log flush), and the rest
 * of the wall time (client work, network, scheduling). Store and baselines share one connection
 * (a pool of 1), so the server's profiling sees all of them. Figures are medians of rounds.
 * Usage: node dist/bench/mysql-save-profile.js   (BENCH_SCALE, BENCH_ROUNDS apply)
 */
import { randomUUID } from 'node:crypto';
import { MysqlEventStore } from 'nestjs-flux';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { config, dropTables, median, randomPrefix, scaled } from './support/index.js';

/** Saves per round: the server keeps the profiles of the last 100 statements only. */
const SAVES = Math.min(20, scaled(20, 5));

interface Sample {
  wallMs: number;
  roundTrips: number;
  statements: number;
  server: Map<string, number>;
}

/** Counts the commands (one round trip each) and statements sent on the pool's connections. */
function countTraffic(pool: Pool): { roundTrips: number; statements: number } {
  const counts = { roundTrips: 0, statements: 0 };
  const patched = new WeakSet<object>();
  pool.pool.on('acquire', (connection) => {
    if (patched.has(connection)) return;
    patched.add(connection);
    const core = connection as unknown as { addCommand(cmd: { sql?: string }): unknown };
    const addCommand = core.addCommand.bind(core);
    core.addCommand = (cmd) => {
      // A Prepare of a cached statement answers without a round trip; Query and Execute go out.
      const kind = cmd.constructor.name;
      if (kind === 'Query' || kind === 'Execute') {
        counts.roundTrips++;
        counts.statements += cmd.sql ? cmd.sql.split(';\n').length : 1;
      }
      return addCommand(cmd);
    };
  });
  return counts;
}

async function main(): Promise<void> {
  const prefix = randomPrefix('prof');
  const store = await MysqlEventStore.create({
    url: config.mysqlUrl,
    synchronize: true,
    tablePrefix: prefix,
    poolSize: 1,
  });
  const pool = (store as unknown as { pool: Pool }).pool;
  const counts = countTraffic(pool);
  const table = `\`${prefix}baseline\``;
  await pool.query(`CREATE TABLE ${table} (
    position BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_id CHAR(36) NOT NULL, aggregate_id VARCHAR(255) NOT NULL,
    aggregate_name VARCHAR(255) NOT NULL, version INT UNSIGNED NOT NULL,
    type VARCHAR(255) NOT NULL, data JSON NOT NULL, metadata JSON NOT NULL,
    created_at DATETIME(3) NOT NULL, UNIQUE KEY uq_event_id (event_id),
    UNIQUE KEY uq_stream (aggregate_id, version)) ENGINE=InnoDB`);
  const insert = `INSERT INTO ${table} (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
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
  await pool.query('SET profiling_history_size = 100, profiling = 1');
  let lastQueryId = 0;
  let lane = 0;

  const cases: Record<string, (id: string, version: number) => Promise<unknown>> = {
    library: (id, version) =>
      store.append(id, [{ type: 'BenchCredited', data: { cents: 1 } }], {
        expectedVersion: version - 1,
        aggregateName: 'bench_account',
      }),
    autocommit: (id, version) => pool.execute(insert, row(id, version)),
    transaction: async (id, version) => {
      const conn: PoolConnection = await pool.getConnection();
      try {
        await conn.beginTransaction();
        await conn.execute(insert, row(id, version));
        await conn.commit();
      } finally {
        conn.release();
      }
    },
  };
  const samples: Record<string, Sample[]> = Object.fromEntries(
    Object.keys(cases).map((name) => [name, []]),
  );
  try {
    for (let round = 0; round < 1 + config.rounds; round++) {
      for (const [name, save] of Object.entries(cases)) {
        const id = `p-${lane++}`;
        const before = { ...counts };
        const start = performance.now();
        for (let version = 1; version <= SAVES; version++) await save(id, version);
        const wallMs = performance.now() - start;
        const roundTrips = counts.roundTrips - before.roundTrips;
        const statements = counts.statements - before.statements;
        const [profiles] = await pool.query('SHOW PROFILES');
        const server = new Map<string, number>();
        for (const p of profiles as { Query_ID: number; Duration: number; Query: string }[]) {
          if (p.Query_ID <= lastQueryId) continue;
          lastQueryId = Math.max(lastQueryId, p.Query_ID);
          if (/^SHOW PROFILES/.test(p.Query)) continue;
          const kind = statementKind(p.Query);
          server.set(kind, (server.get(kind) ?? 0) + Number(p.Duration) * 1000);
        }
        if (round > 0) samples[name].push({ wallMs, roundTrips, statements, server });
      }
    }
    for (const [name, list] of Object.entries(samples)) {
      const per = (f: (s: Sample) => number) => median(list.map(f)) / SAVES;
      const kinds = [...new Set(list.flatMap((s) => [...s.server.keys()]))];
      const serverMs = per((s) => [...s.server.values()].reduce((a, b) => a + b, 0));
      const wall = per((s) => s.wallMs);
      console.log(
        `${name}: ${wall.toFixed(3)} ms/save wall, ${per((s) => s.roundTrips).toFixed(1)} round trips, ` +
          `${per((s) => s.statements).toFixed(1)} statements; server ${serverMs.toFixed(3)} ms, ` +
          `rest (client, network, waits) ${(wall - serverMs).toFixed(3)} ms`,
      );
      for (const kind of kinds)
        console.log(`    ${kind.padEnd(28)} ${per((s) => s.server.get(kind) ?? 0).toFixed(3)} ms`);
    }
  } finally {
    await store.close();
    await dropTables(prefix);
  }
}

/** The statement's kind and table role, without the per-run table names. */
function statementKind(sql: string): string {
  const text = sql
    .replace(/`[^`]*`/g, 'T')
    .replace(/\s+/g, ' ')
    .trim();
  if (/^SELECT last_position/.test(text)) return 'SELECT … FOR UPDATE (sequence)';
  if (/^UPDATE T SET last_position/.test(text)) return 'UPDATE sequence';
  if (/^INSERT/.test(text)) return 'INSERT';
  return text.split(' ').slice(0, 2).join(' ').slice(0, 28);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
