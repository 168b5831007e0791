import type { Cluster, Redis } from 'ioredis';
import { ACK_DELETE_LUA } from './ack-delete.lua.js';
import { CLEANUP_LUA } from './cleanup.lua.js';
import { COUNT_AFTER_LUA } from './count-after.lua.js';
import { FENCED_CLAIM_LUA } from './fenced-claim.lua.js';
import { TRIM_LUA } from './trim.lua.js';

type Arg = string | number | Buffer;

/** The broker's scripts as ioredis commands (EVALSHA, falling back to EVAL on NOSCRIPT). */
export interface BrokerCommands {
  fluxAckDelete(
    key: string,
    leaseKey: string,
    group: string,
    token: string,
    ...ids: string[]
  ): Promise<[number, number]>;
  fluxFencedClaim(
    key: string,
    leaseKey: string,
    group: string,
    consumer: string,
    cursor: string,
    count: number,
    token: string,
  ): Promise<[string, string[]]>;
  fluxTrim(key: string, maxLen: number): Promise<number>;
  fluxCleanup(key: string, group: string, consumer: string): Promise<number>;
  fluxCountAfter(key: string, id: string): Promise<number>;
}

/** A pool client with the broker's scripts defined. */
export type BrokerRedis = (Redis | Cluster) & BrokerCommands;

/** Pipelines of a `BrokerRedis` carry the same script commands. */
export interface BrokerPipeline {
  fluxTrim(key: string, maxLen: number): this;
  xadd(...args: (Arg | Arg[])[]): this;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** Scripts taking one key, the stream. */
const STREAM_SCRIPTS = {
  fluxTrim: TRIM_LUA,
  fluxCleanup: CLEANUP_LUA,
  fluxCountAfter: COUNT_AFTER_LUA,
};

/** Scripts taking two keys, the stream and a single-mode lease in the stream's hash slot. */
const FENCED_SCRIPTS = {
  fluxAckDelete: ACK_DELETE_LUA,
  fluxFencedClaim: FENCED_CLAIM_LUA,
};

/** Defines every broker script on a client. */
export function defineBrokerCommands(client: Redis | Cluster): BrokerRedis {
  for (const [name, lua] of Object.entries(STREAM_SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: 1, lua });
  }
  for (const [name, lua] of Object.entries(FENCED_SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: 2, lua });
  }
  return client as BrokerRedis;
}
