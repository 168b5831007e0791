import type { HealthIndicatorService } from '@nestjs/terminus';
import type { EventBroker } from '../broker/event-broker.js';
import type { RedisPools } from '../broker/pools/redis-pools.js';
import type { EventStore } from '../event-store/event-store.js';
import type { RelayService } from '../relay/relay.service.js';
import type { StreamWorkers } from '../workers/stream-workers.orchestrator.js';

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref(),
    ),
  ]);

/**
 * `@nestjs/terminus` indicators. `workers` checks that every worker *reads*, not merely runs:
 * a worker whose last successful read is older than `maxSilenceMs` is down, which catches a
 * loop stuck after a Redis restart. Provided by `FluxHealthModule`, which loads
 * `@nestjs/terminus` (an optional peer) when the application starts.
 */
export class FluxHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly store: EventStore,
    private readonly pools?: RedisPools,
    private readonly broker?: EventBroker,
    private readonly workers?: StreamWorkers,
    private readonly relay?: RelayService,
  ) {}

  /** PING on every configured Redis pool (on every master of a cluster pool). */
  async redis(key = 'flux_redis', timeoutMs = 1_000) {
    const session = this.health.check(key);
    const pools = this.pools?.names() ?? [];
    const failures: Record<string, string> = {};
    await Promise.all(
      pools.map((pool) =>
        within(this.pools!.ping(pool), timeoutMs, `Redis pool "${pool}"`).catch(
          (error: Error) => (failures[pool] = error.message),
        ),
      ),
    );
    return Object.keys(failures).length === 0
      ? session.up({ pools })
      : session.down({ pools, failures });
  }

  /** A cheap read of the event store. */
  async eventStore(key = 'flux_event_store', timeoutMs = 2_000) {
    const session = this.health.check(key);
    try {
      const lastPosition = await within(this.store.lastPosition(), timeoutMs, 'the event store');
      return session.up({ lastPosition });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }

  /**
   * Every stream worker running and having read within `maxSilenceMs`. A single-mode stand-by
   * (another replica holds the group's lease) is healthy while it reaches Redis: it is ready to
   * take over. No partition of a partitioned stream's `mode: 'single'` consumer may be left
   * without a holder for that long.
   */
  workersReading(key = 'flux_workers', { maxSilenceMs = 30_000 }: { maxSilenceMs?: number } = {}) {
    const session = this.health.check(key);
    const now = Date.now();
    const workers = (this.workers?.status() ?? []).map((w) => ({
      consumer: w.consumer,
      stream: w.stream,
      group: w.group,
      running: w.running,
      lease: w.lease ?? null,
      silentMs: w.lastReadAt ? now - w.lastReadAt.getTime() : null,
      lastError: w.lastError ?? null,
    }));
    const stuck = workers.filter(
      (w) => !w.running || w.silentMs === null || w.silentMs > maxSilenceMs,
    );
    const standby = workers.filter((w) => w.lease === 'standby').length;
    // Partitions of a `mode: 'single'` consumer that no process has held for that long.
    const unheld = (this.workers?.partitions() ?? [])
      .map((p) => ({
        stream: p.stream,
        group: p.group,
        partitions: p.unheld.filter((u) => u.sinceMs > maxSilenceMs).map((u) => u.partition),
      }))
      .filter((p) => p.partitions.length > 0);
    if (stuck.length === 0 && unheld.length === 0)
      return session.up({ workers: workers.length, standby });
    return session.down(unheld.length === 0 ? { stuck } : { stuck, unheld });
  }

  /** Every group of the given streams (default: all registered) below the lag and pending limits. */
  async streamLag(
    key = 'flux_stream_lag',
    { maxLag = 10_000, maxPending = 10_000, streams = [] as string[] } = {},
  ) {
    const session = this.health.check(key);
    const stats = (await this.broker?.getStreamsStatistics(...streams)) ?? [];
    const behind = stats.flatMap((s) =>
      s.groups
        .filter((g) => g.lag > maxLag || g.pending > maxPending)
        .map((g) => ({ stream: s.stream, group: g.group, lag: g.lag, pending: g.pending })),
    );
    return behind.length === 0 ? session.up({ streams: stats.length }) : session.down({ behind });
  }

  /** The relay's checkpoint within `maxLag` events of the store's head and no error outstanding. */
  async relayLag(key = 'flux_relay', { maxLag = 10_000 }: { maxLag?: number } = {}) {
    const session = this.health.check(key);
    const last = await this.store.lastPosition();
    const relays = Object.entries(this.relay?.statuses() ?? {}).map(([pool, s]) => ({
      pool,
      leader: s.leader,
      lag: s.checkpoint === null ? null : last - s.checkpoint,
      lastError: s.lastError,
    }));
    const bad = relays.filter((r) => r.leader && ((r.lag ?? 0) > maxLag || r.lastError));
    return bad.length === 0 ? session.up({ relays }) : session.down({ relays: bad });
  }
}
