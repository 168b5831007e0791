import type { LoggerService, Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { EventBroker } from '../broker/event-broker.js';
import type { StreamRegistration } from '../broker/registry/stream-registration.js';
import { FluxModule } from '../module/flux.module.js';
import { StreamWorkers } from './stream-workers.orchestrator.js';

import { REDIS_URL } from '../broker/broker.spec-helpers.js';

export { REDIS_URL, waitFor } from '../broker/broker.spec-helpers.js';

/** Polls `predicate` every 20 ms until it holds; throws after `timeoutMs`. */
/** Log lines an app wrote, by level, for assertions (and to keep test output quiet). */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; stack?: unknown }> = [];
  log = (message: unknown) => this.push('log', message);
  /** Nest's `Logger.error(message, stack)`: the stack is kept for assertions. */
  error = (message: unknown, stack?: unknown) => this.push('error', message, stack);
  warn = (message: unknown) => this.push('warn', message);
  debug = (message: unknown) => this.push('debug', message);
  verbose = (message: unknown) => this.push('verbose', message);
  private push(level: string, message: unknown, stack?: unknown): void {
    this.lines.push({ level, message: String(message), stack });
  }
  count(level: string, pattern: RegExp): number {
    return this.lines.filter((l) => l.level === level && pattern.test(l.message)).length;
  }
}

export interface WorkerApp {
  app: TestingModule;
  broker: EventBroker;
  workers: StreamWorkers;
  logger: CapturingLogger;
  prefix: string;
  /** Plain client on the app's Redis, for assertions and raw writes. */
  admin: Redis;
  key(stream: string): string;
  close(): Promise<void>;
}

export interface WorkerAppOptions {
  streams: Array<string | StreamRegistration>;
  providers: Provider[];
  /** The default pool; default the suite's Redis. */
  redis?: string | RedisOptions;
  /** Leave `init()` to the test (bootstrap failures). */
  init?: boolean;
}

/** A Nest app with FluxModule, the broker and the workers on a random key prefix. */
export async function createWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const prefix = `flux-workers-test:${randomBytes(6).toString('hex')}:`;
  const redis = options.redis ?? REDIS_URL;
  const app = await Test.createTestingModule({
    imports: [
      FluxModule.forRoot({
        redis: { default: redis },
        keyPrefix: prefix,
        streams: options.streams,
      }),
    ],
    providers: options.providers,
  }).compile();
  const logger = new CapturingLogger();
  app.useLogger(logger);
  const admin =
    typeof redis === 'string'
      ? new Redis(redis, { maxRetriesPerRequest: 1 })
      : new Redis({ ...redis, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  let closed = false;
  const result: WorkerApp = {
    app,
    broker: app.get(EventBroker),
    workers: app.get(StreamWorkers),
    logger,
    prefix,
    admin,
    key: (stream) => prefix + stream,
    async close() {
      if (closed) return;
      closed = true;
      await app.close().catch(() => undefined);
      // Leases and members of partitions live under `{<prefix>…}`: same slot as their stream.
      const keys = [
        ...(await admin.keys(`${prefix}*`).catch(() => [] as string[])),
        ...(await admin.keys(`{${prefix}*`).catch(() => [] as string[])),
      ];
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
    },
  };
  if (options.init !== false) await app.init();
  return result;
}
