import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { REPO_ROOT } from './built-library.js';
import { within } from './wait.js';

/** Where the replicas of one fault read and record. */
export interface ReplicaSetup {
  redisUrl: string;
  prefix: string;
  stream: string;
  group: string;
  leaseTtl: number;
  /** ms each message takes in the handler. */
  delayMs?: number;
  count?: number;
}

/** One replica process (`support/replica-worker.mjs`) and what it printed. */
export class Replica {
  out = '';
  err = '';
  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk) => (this.out += chunk));
    child.stderr!.on('data', (chunk) => (this.err += chunk));
  }

  static start(setup: ReplicaSetup): Replica {
    const script = fileURLToPath(new URL('./replica-worker.mjs', import.meta.url));
    const child = spawn(process.execPath, [script], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        REPLICA_REDIS_URL: setup.redisUrl,
        REPLICA_PREFIX: setup.prefix,
        REPLICA_STREAM: setup.stream,
        REPLICA_GROUP: setup.group,
        REPLICA_LIST: listKey(setup),
        REPLICA_LEASE_TTL: String(setup.leaseTtl),
        REPLICA_DELAY_MS: String(setup.delayMs ?? 0),
        REPLICA_COUNT: String(setup.count ?? 10),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Replica(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and waits (bounded) for the exit; SIGKILL after `ms`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 20_000): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    try {
      await within(ms, `replica ${this.pid} to exit on ${signal}`, exited);
    } catch (error) {
      this.child.kill('SIGKILL');
      throw error;
    }
  }
}

/** The Redis list where replicas record `<n>:<pid>` in handling order. */
export const listKey = (setup: Pick<ReplicaSetup, 'prefix'>) => `${setup.prefix}handled`;

/** The handled list as `{ n, pid }` entries. */
export async function handledEntries(redis: Redis, setup: ReplicaSetup) {
  const raw = await redis.lrange(listKey(setup), 0, -1);
  return raw.map((entry) => {
    const [n, pid] = entry.split(':').map(Number);
    return { n, pid };
  });
}

/** The pid of the replica holding the group's lease (from the consumer name in the key). */
export async function holderPid(redis: Redis, setup: ReplicaSetup): Promise<number | null> {
  const value = await redis.get(`{${setup.prefix}${setup.stream}}:lease:${setup.group}`);
  const match = value?.match(/^single-.*-(\d+)-[0-9a-f]+#/);
  return match ? Number(match[1]) : null;
}

/**
 * Order as one consumer group promises it across failovers: no message is handled before
 * every earlier one was handled at least once (a replay after a takeover may repeat some).
 * Returns the index of the first entry that skipped ahead, or -1.
 */
export function firstSkip(ns: number[]): number {
  let max = -1;
  for (let i = 0; i < ns.length; i++) {
    if (ns[i] > max + 1) return i;
    max = Math.max(max, ns[i]);
  }
  return -1;
}
