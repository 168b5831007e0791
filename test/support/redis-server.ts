import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { waitFor } from '../../apps/demo/src/http-client.js';
import { freePort } from './free-port.js';

/**
 * A throw-away `redis-server` without persistence, so a test can stop it and start it again on
 * the same port: the restarted server is empty, as after a crash of a cache-only Redis.
 */
export class RedisServer {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and waits until it answers PING. */
  async resume(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(`redis-server on port ${this.port}`, () => this.ping(), 10_000, 50);
  }

  /** Kills the server (SIGKILL: nothing is flushed, clients see the connection drop). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Entries a stream holds: consumed messages are deleted, so these are the unconsumed ones. */
  async streamLength(key: string): Promise<number> {
    const client = new Redis(this.url);
    try {
      return await client.xlen(key);
    } finally {
      client.disconnect();
    }
  }

  private async ping(): Promise<boolean> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // A refused connection while the server starts is the expected answer, not an error to log.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  }
}
