import { InvalidStateError } from '../../errors/invalid-state.error.js';
import type { PoolClient } from '../pools/redis-pools.js';
import { LeaseLostError } from '../../errors/lease-lost.error.js';
import { ensureGroup, type Fence, isNoGroupError } from './group-commands.js';
import type { BrokerRedis } from '../lua/index.js';
import { readGroupEntries, type RawEntry } from './stream-reply.js';

type Replies = [Error | null, unknown][];

/**
 * An ioredis pipeline holding a transaction: after `multi()`, the first `exec()` queues EXEC and
 * the last one sends everything. Its typings do not model that.
 */
type Chain = { [command: string]: (...args: unknown[]) => Chain };

/**
 * Reads new messages for a lease holder, on the consumer's dedicated connection. The read that
 * moves the group's last-delivered id (`XREADGROUP >`) runs in `MULTI`/`EXEC` under a `WATCH` of
 * the lease key taken when the key was seen holding the holder's token: `EXEC` does nothing if
 * the key changed since (a successor took it, or a renewal touched it: then it is checked again
 * and the read retried). So a holder that lost its lease (a paused process) delivers nothing to
 * itself after its successor started, and Redis returns the entries without a script's copy.
 * Waiting for new entries is a plain `XREAD BLOCK` after the group's last-delivered id, which
 * changes nothing in the group.
 * @internal
 */
export class FencedReader {
  /** The connection whose WATCH was taken while the key held the token. */
  private armedOn?: PoolClient;

  constructor(
    private readonly key: string,
    private readonly group: string,
    private readonly name: string,
    private readonly fence: Fence,
  ) {}

  /** Up to `count` new entries (deleted ones skipped), waiting up to `blockMs` for some. */
  async read(
    client: BrokerRedis,
    dedicated: () => PoolClient,
    count: number,
    blockMs: number,
    closed: () => boolean,
  ): Promise<RawEntry[]> {
    let waited = false;
    try {
      for (;;) {
        if (closed()) return [];
        const connection = dedicated();
        const entries = await this.readOnce(client, connection, count);
        if (entries.length > 0) return entries.filter((entry) => entry[1] !== null);
        if (blockMs === 0 || waited) return [];
        waited = true;
        const after = await this.lastDeliveredId(client);
        // Closed meanwhile: the connection is going away, and may never answer a new command.
        if (closed()) return [];
        const args = ['BLOCK', blockMs, 'COUNT', 1, 'STREAMS', this.key, after];
        if ((await connection.call('xread', ...args)) == null) return [];
      }
    } catch (error) {
      if (closed()) return []; // close() ends a blocked wait by closing its connection
      throw error;
    }
  }

  private async readOnce(client: BrokerRedis, connection: PoolClient, count: number) {
    const { key, group, name, fence } = this;
    for (let attempt = 0; attempt < 10; attempt++) {
      if (this.armedOn !== connection) await this.arm(connection);
      // A transaction inside a pipeline: one round trip for MULTI … EXEC, WATCH and GET.
      const queued = (connection.pipeline() as unknown as Chain)
        .multi()
        .callBuffer('xreadgroup', 'GROUP', group, name, 'COUNT', count, 'STREAMS', key, '>')
        .exec()
        .watch(fence.key)
        .get(fence.key);
      const replies = (await (queued.exec() as unknown as Promise<Replies>)) ?? [];
      // Re-armed for the next read only if the key still holds the token after this one.
      this.armedOn = replies[4]?.[1] === fence.token ? connection : undefined;
      const [execError, result] = replies[2];
      const failure = execError ?? (Array.isArray(result) ? result[0] : undefined);
      if (failure instanceof Error) {
        // After a Redis restart without persistence the group is gone: recreate it.
        if (!isNoGroupError(failure)) throw failure;
        await ensureGroup(client, key, group);
        continue;
      }
      if (result != null) return readGroupEntries((result as unknown[])[0]);
      // EXEC aborted: the key changed since the WATCH (a renewal, or a successor).
      if (this.armedOn !== connection) throw this.lost();
    }
    throw new InvalidStateError(
      `Stream "${key}" (group "${group}"): reading under the lease was aborted 10 times in a row`,
    );
  }

  /** WATCHes the lease key and checks, after the WATCH, that it holds the token. */
  private async arm(connection: PoolClient): Promise<void> {
    const replies = (await connection
      .pipeline()
      .watch(this.fence.key)
      .get(this.fence.key)
      .exec()) as Replies;
    if (replies[1]?.[1] !== this.fence.token) {
      await connection.unwatch();
      throw this.lost();
    }
    this.armedOn = connection;
  }

  private lost(): LeaseLostError {
    this.armedOn = undefined;
    return new LeaseLostError(this.fence.key, 'reading new messages');
  }

  /** Where the group stands, to wait for a newer entry. */
  private async lastDeliveredId(client: BrokerRedis): Promise<string> {
    const groups = (await client.xinfo('GROUPS', this.key)) as unknown[][];
    for (const info of groups) {
      const field = (name: string) => info[info.indexOf(name) + 1];
      if (String(field('name')) === this.group) return String(field('last-delivered-id'));
    }
    return '0-0';
  }
}
