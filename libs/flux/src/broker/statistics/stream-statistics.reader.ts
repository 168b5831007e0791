import { InvalidStateError } from '../../errors/invalid-state.error.js';
import { DEFAULT_GROUP } from '../broker.constants.js';
import { leaseHolderOf, leaseKeyOf } from '../consume/lease-key.js';
import type { BrokerRedis } from '../lua/index.js';
import { ageOf } from './stream-id.js';
import type {
  StreamConsumerStatistics,
  StreamGroupStatistics,
  StreamStatistics,
} from './stream-statistics.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

type Reply = [Error | null, unknown][];
type PendingSummary = [count: number, lowest: string | null, highest: string | null, unknown];

/** XINFO replies arrive as flat `[field, value, …]` arrays. */
function record(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (let i = 0; i < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

function check(replies: Reply | null): unknown[] {
  if (!replies) throw new InvalidStateError('Redis returned no reply to the statistics pipeline');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * Reads the statistics of one stream in two round trips. Ages are measured against the Redis
 * clock (TIME), the clock that stamped the ids, so a skewed application clock cannot distort
 * them. Null when the stream does not exist.
 * @internal
 */
export async function readStreamStatistics(
  client: BrokerRedis,
  stream: RegisteredStream,
): Promise<StreamStatistics | null> {
  const { key } = stream;
  const first = await client
    .pipeline()
    .exists(key)
    .time()
    .xlen(key)
    .xrange(key, '-', '+', 'COUNT', 1)
    .xinfo('GROUPS', key) // fails on a missing key: read only once the key is known to exist
    .exec();
  if (first?.[0][1] === 0) return null;
  const [, time, len, oldest, groupList] = check(first) as [
    number,
    [string, string],
    number,
    [string, unknown][],
    unknown[][],
  ];
  const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
  const infos = groupList.map(record);
  const second = client.pipeline();
  for (const info of infos) {
    second.xpending(key, String(info.name));
    second.xinfo('CONSUMERS', key, String(info.name));
    second.get(leaseKeyOf(key, String(info.name)));
    // Redis reports no lag after some deletions; count the undelivered entries then.
    if (info.lag == null)
      (second as unknown as BrokerRedis).fluxCountAfter(key, String(info['last-delivered-id']));
  }
  const replies = infos.length > 0 ? check(await second.exec()) : [];
  let at = 0;
  const groups = infos.map((info): StreamGroupStatistics => {
    const summary = replies[at++] as PendingSummary;
    const consumers = (replies[at++] as unknown[][]).map(record);
    const lease = replies[at++] as string | null;
    const lag = info.lag == null ? Number(replies[at++]) : Number(info.lag);
    const lastDeliveredId = String(info['last-delivered-id']);
    const lowerId = summary[0] > 0 ? summary[1] : null;
    return {
      group: String(info.name),
      lag,
      pending: Number(summary[0]),
      lastDeliveredId,
      lastDeliveredDuration: ageOf(lastDeliveredId, now),
      lowerId,
      lowerDuration: ageOf(lowerId, now),
      consumers: consumers.map((c): StreamConsumerStatistics => ({
        name: String(c.name),
        pending: Number(c.pending),
        idle: Number(c.idle),
      })),
      leaseHolder: lease === null ? null : leaseHolderOf(lease),
    };
  });
  groups.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  return {
    stream: stream.name,
    redisPool: stream.pool,
    len,
    oldestEventSeconds: Math.floor(ageOf(oldest[0]?.[0], now) / 1000),
    group: groups.find((g) => g.group === DEFAULT_GROUP) ?? groups[0] ?? null,
    groups,
  };
}
