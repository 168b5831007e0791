import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../support/free-port.js';
import { startRedisServer, stopRedisServer } from '../../support/redis-server.js';

/**
 * A redis-server of the test's own on a free loopback port, with an append-only file in a temp
 * dir (`appendfsync always`: whatever a client got an OK for survives a SIGKILL), so it can be
 * killed and started again on the same port with its data. The shared Redis is never touched.
 */
export class OwnRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'flux-faults-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const server = new OwnRedis(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** (Re)starts on the same port and data dir; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.running) return;
    const args = [
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ];
    this.child = await startRedisServer(this.port, args, 15_000);
  }

  /** SIGKILL: nothing flushed beyond the AOF, every client sees its connection drop. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopRedisServer(child);
  }

  /** Kills the server and removes its data dir. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A client for assertions that gives up fast instead of queueing while the server is down. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    return client;
  }
}
