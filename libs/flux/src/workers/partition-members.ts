import type { PoolClient } from '../broker/pools/redis-pools.js';
import type { PartitionMember } from './partition-assignment.js';

/**
 * Registers this member (expiry `now + ttl` by the Redis clock, and its cap), drops expired
 * members, and returns the live ones as `[name, cap, …]`. ARGV[3] empty: leave instead.
 * KEYS[1] the members hash; ARGV[1] name, ARGV[2] ttl (ms), ARGV[3] cap.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[2])) .. '|' .. ARGV[3])
end
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local expires, cap = string.match(all[i + 1], '^(%d+)|(%d+)$')
  if expires and tonumber(expires) > now then
    live[#live + 1] = all[i]
    live[#live + 1] = cap
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
if #live > 0 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 3) end
return live
`;

/**
 * The live processes of one group on one partitioned stream: each renews its entry with every
 * heartbeat; an entry not renewed within the TTL (a dead process) is dropped by the next
 * heartbeat of anyone. One hash, so one Cluster slot.
 * @internal
 */
export class PartitionMembership {
  constructor(
    private readonly redis: PoolClient,
    readonly key: string,
    readonly name: string,
    private readonly ttlMs: number,
    private readonly cap: number,
  ) {}

  /** Renews this member and returns every live member (this one included). */
  async heartbeat(): Promise<PartitionMember[]> {
    const flat = (await this.redis.eval(
      HEARTBEAT,
      1,
      this.key,
      this.name,
      this.ttlMs,
      this.cap,
    )) as string[];
    const members: PartitionMember[] = [];
    for (let i = 0; i < flat.length; i += 2)
      members.push({ name: flat[i], cap: Number(flat[i + 1]) });
    return members;
  }

  /** Removes this member, so the others take its share at their next heartbeat. */
  async leave(): Promise<void> {
    await this.redis.eval(HEARTBEAT, 1, this.key, this.name, this.ttlMs, '');
  }
}
