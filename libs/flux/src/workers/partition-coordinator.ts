import type { Logger } from '@nestjs/common';
import type { PoolClient } from '../broker/pools/redis-pools.js';
import { partitionLeaseKey, partitionSideKey } from '../broker/partitions/partition-keys.js';
import type { RegisteredStream } from '../broker/registry/stream-registry.js';
import { Sleeper } from './backoff.js';
import { describeError } from './dead-letter.js';
import { partitionTargets, preferredOrder } from './partition-assignment.js';
import { PartitionMembership } from './partition-members.js';
import type { StreamWorker } from './stream-worker.js';

/**
 * What the coordinator of one `mode: 'single'` consumer of a partitioned stream needs.
 * @internal
 */
export interface PartitionCoordinatorConfig {
  stream: RegisteredStream;
  group: string;
  /** This process's consumer name: its member name and the holder of its partition leases. */
  member: string;
  /** Most partitions this process holds (`consumers`). */
  cap: number;
  leaseTtl: number;
  redis: PoolClient;
  logger: Logger;
  /** A (not started) single-mode worker of one partition, reading under that partition's lease. */
  createWorker(partition: number): StreamWorker;
}

/** What one process knows of a partitioned group, for health and the board. */
export interface PartitionCoordinatorStatus {
  stream: string;
  group: string;
  member: string;
  /** Live processes of the group at the last heartbeat. */
  members: number;
  /** Partitions this process holds the lease of and reads. */
  held: number[];
  /** Partitions no process held at the last look, with the time since (ms). */
  unheld: { partition: number; sinceMs: number }[];
}

/**
 * Exactly one reader per partition across processes, partitions spread over the live ones.
 * Each process heartbeats its membership and computes its share from the live members
 * (`partitionTargets`, the same answer everywhere). It starts a worker on free partitions up to
 * its share; each worker takes its partition's lease, first re-reads what earlier holders left
 * pending, reads fenced by the lease and renews it. Beyond its share a process stops workers
 * (each finishes and acks its batch, then releases its lease, so the partition moves at once).
 * A process that dies stops heartbeating; its leases expire after `leaseTtl` and the others
 * take its partitions over, in order.
 * @internal
 */
export class PartitionCoordinator {
  private readonly running = new Map<number, StreamWorker>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly unheldSince = new Map<number, number>();
  private readonly membership: PartitionMembership;
  private readonly sleeper = new Sleeper();
  private readonly interval: number;
  private members = 0;
  private loop?: Promise<void>;
  private closing = false;
  private failing = false;

  constructor(private readonly config: PartitionCoordinatorConfig) {
    const { stream, group, member, leaseTtl, cap, redis } = config;
    const key = partitionSideKey(stream.key, `members:${group}`);
    this.membership = new PartitionMembership(redis, key, member, leaseTtl, cap);
    // Membership well within the TTL; joins and leaves are noticed within a second.
    this.interval = Math.max(50, Math.min(Math.floor(leaseTtl / 3), 1_000));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Leaves the group (so the others count their shares without this process), then stops every
   * partition worker: each finishes and acks its batch and releases its lease.
   */
  async stop(): Promise<void> {
    this.closing = true;
    this.sleeper.wake();
    await this.loop;
    await this.membership.leave().catch(() => undefined);
    for (const partition of [...this.running.keys()]) this.stopWorker(partition);
    await Promise.all(this.stopping);
  }

  /** The partition workers running now (holding their lease, or about to). */
  workers(): StreamWorker[] {
    return [...this.running.values()];
  }

  status(): PartitionCoordinatorStatus {
    const now = Date.now();
    return {
      stream: this.config.stream.name,
      group: this.config.group,
      member: this.config.member,
      members: this.members,
      held: this.held().sort((a, b) => a - b),
      unheld: [...this.unheldSince].map(([partition, since]) => ({
        partition,
        sinceMs: now - since,
      })),
    };
  }

  private held(): number[] {
    return [...this.running].filter(([, w]) => w.status().lease === 'held').map(([p]) => p);
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      try {
        await this.round();
        if (this.failing) this.config.logger.log(`Coordinating ${this.label()} again.`);
        this.failing = false;
      } catch (error) {
        if (!this.failing) {
          this.config.logger.error(
            `Cannot coordinate the partitions of ${this.label()}: ${describeError(error)}. ` +
              `Retrying; the partitions held keep being read and renewed meanwhile.`,
          );
        }
        this.failing = true;
      }
      await this.sleeper.sleep(this.interval);
    }
  }

  private async round(): Promise<void> {
    const { stream, member } = this.config;
    const members = await this.membership.heartbeat();
    this.members = members.length;
    const target = partitionTargets(members, stream.partitions!).get(member) ?? 0;
    // A worker that lost the race for its lease (or lost the lease later) stands by: not ours.
    for (const [partition, worker] of this.running) {
      if (worker.status().lease === 'standby') this.stopWorker(partition);
    }
    // Beyond the share: hand the highest partitions over, each once its batch is done.
    const mine = [...this.running.keys()].sort((a, b) => b - a);
    for (const partition of mine.slice(0, Math.max(0, mine.length - target))) {
      this.stopWorker(partition);
    }
    const free = await this.freePartitions();
    if (this.closing) return;
    const rank = members
      .map((m) => m.name)
      .sort()
      .indexOf(member);
    for (const partition of preferredOrder(rank, members.length, stream.partitions!)) {
      if (this.running.size >= target) break;
      if (free.has(partition) && !this.running.has(partition)) this.startWorker(partition);
    }
  }

  private startWorker(partition: number): void {
    const worker = this.config.createWorker(partition);
    this.running.set(partition, worker);
    this.unheldSince.delete(partition);
    worker.start();
  }

  /** Stops a partition's worker: its batch is finished and acked, then its lease released. */
  private stopWorker(partition: number): void {
    const worker = this.running.get(partition);
    if (!worker) return;
    this.running.delete(partition);
    const stopped: Promise<void> = worker
      .stop()
      .catch(() => undefined)
      .finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  /**
   * Partitions whose lease nobody holds; tracks how long for health. One EXISTS per partition,
   * in parallel: the lease keys live in their partitions' slots, and a Redis Cluster pipeline
   * must stay on one node.
   */
  private async freePartitions(): Promise<Set<number>> {
    const { stream, group, redis } = this.config;
    const replies = await Promise.all(
      stream.partitionKeys!.map((key) =>
        redis.exists(partitionLeaseKey(key, group)).then(
          (exists): [Error | null, number] => [null, exists],
          (error: Error): [Error | null, number] => [error, 0],
        ),
      ),
    );
    const now = Date.now();
    const free = new Set<number>();
    replies.forEach(([error, exists], partition) => {
      if (error || exists !== 0) {
        this.unheldSince.delete(partition);
        return;
      }
      free.add(partition);
      if (!this.unheldSince.has(partition) && !this.running.has(partition))
        this.unheldSince.set(partition, now);
    });
    return free;
  }

  private label(): string {
    return `stream "${this.config.stream.name}" group "${this.config.group}"`;
  }
}
