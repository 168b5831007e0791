import type { Redis } from 'ioredis';
import { ACK_DELETE_LUA } from './ack-delete.lua.js';
import { CLEANUP_LUA } from './cleanup.lua.js';
import { COUNT_AFTER_LUA } from './count-after.lua.js';
import { TRIM_LUA } from './trim.lua.js';

type Arg = string | number | Buffer;

/** The broker's scripts as ioredis commands (EVALSHA, falling back to EVAL on NOSCRIPT). */
export interface BrokerCommands {
  fluxAckDelete(key: string, group: string, ...ids: string[]): Promise<[number, number]>;
  fluxTrim(key: string, maxLen: number): Promise<number>;
  fluxCleanup(key: string, group: string, consumer: string): Promise<number>;
  fluxCountAfter(key: string, id: string): Promise<number>;
}

/** A pool client with the broker's scripts defined. */
export type BrokerRedis = Redis & BrokerCommands;

/** Pipelines of a `BrokerRedis` carry the same script commands. */
export interface BrokerPipeline {
  fluxTrim(key: string, maxLen: number): this;
  xadd(...args: (Arg | Arg[])[]): this;
  exec(): Promise<[Error | null, unknown][] | null>;
}

const SCRIPTS: Record<keyof BrokerCommands, string> = {
  fluxAckDelete: ACK_DELETE_LUA,
  fluxTrim: TRIM_LUA,
  fluxCleanup: CLEANUP_LUA,
  fluxCountAfter: COUNT_AFTER_LUA,
};

/** Defines every broker script on a client; each takes exactly one key, the stream. */
export function defineBrokerCommands(client: Redis): BrokerRedis {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, { numberOfKeys: 1, lua });
  }
  return client as BrokerRedis;
}
