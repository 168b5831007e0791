import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../faults/support/built-library.js';

/** What the tests pass to each worker process. */
export interface PartitionWorkerEnv {
  redisUrl: string;
  prefix: string;
  stream: string;
  group: string;
  partitions: number;
  leaseTtl: number;
  handleMs?: number;
  consumers?: number;
  /** Node URLs of a Redis Cluster: the workers' pool (then `redisUrl` is unused). */
  clusterUrls?: string[];
}

/** One worker process (partition-worker.mjs) and the partitions it last said it holds. */
export class PartitionWorkerProcess {
  held: number[] = [];
  /** Partitions nobody held at its last look. */
  unheld: number[] = [];
  member = '';
  closed = false;
  output = '';
  readonly child: ChildProcess;

  constructor(env: PartitionWorkerEnv) {
    const script = fileURLToPath(new URL('./partition-worker.mjs', import.meta.url));
    this.child = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PW_REDIS_URL: env.redisUrl,
        PW_PREFIX: env.prefix,
        PW_STREAM: env.stream,
        PW_GROUP: env.group,
        PW_PARTITIONS: String(env.partitions),
        PW_LEASE_TTL: String(env.leaseTtl),
        PW_HANDLE_MS: String(env.handleMs ?? 0),
        ...(env.consumers ? { PW_CONSUMERS: String(env.consumers) } : {}),
        ...(env.clusterUrls ? { PW_CLUSTER_URLS: env.clusterUrls.join(',') } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const report = JSON.parse(line) as {
          held?: number[];
          unheld?: number[];
          member?: string;
          closed?: boolean;
        };
        if (report.held) this.held = report.held;
        if (report.unheld) this.unheld = report.unheld;
        if (report.member) this.member = report.member;
        if (report.closed) this.closed = true;
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM: the application closes gracefully (batches finished, leases released). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Checks the handling log (`key|seq|pid|partition` in handling order): per key, no message is
 * handled before every earlier one was handled at least once (a redelivery after a crash may
 * repeat messages, never skip ahead), and every sequence number from 0 to `perKey` − 1 is there.
 * Returns the problems found (empty: order kept, nothing lost).
 */
export function orderProblems(log: string[], keys: string[], perKey: number): string[] {
  const problems: string[] = [];
  const highest = new Map<string, number>();
  for (const line of log) {
    const [key, seqText] = line.split('|');
    const seq = Number(seqText);
    const top = highest.get(key) ?? -1;
    if (seq > top + 1) problems.push(`${key}: ${seq} handled before ${top + 1}`);
    if (seq > top) highest.set(key, seq);
  }
  for (const key of keys) {
    const top = highest.get(key) ?? -1;
    if (top !== perKey - 1) problems.push(`${key}: handled up to ${top} of ${perKey - 1}`);
  }
  return problems;
}
