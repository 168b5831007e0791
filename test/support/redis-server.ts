import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** No persistence: a restarted server is empty, as after a crash of a cache-only Redis. */
const EPHEMERAL = ['--save', '', '--appendonly', 'no'];

/**
 * Starts a throw-away `redis-server` on `port` (loopback) with `args` (no persistence unless
 * told) and resolves once it answers PING; fails after `timeoutMs`. The shared Redis is never
 * touched. Should the test process die first, the server dies with it.
 */
export async function startRedisServer(
  port: number,
  args: readonly string[] = EPHEMERAL,
  timeoutMs = 15_000,
): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], {
    stdio: 'ignore',
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited early`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

/** Kills a server started by `startRedisServer` (SIGKILL: nothing flushed) and waits for it. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function answersPing(port: number): Promise<boolean> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused connection while the server starts is the expected answer, not an error to log.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A throw-away `redis-server` without persistence on a free port, so a test can stop it and
 * start it again on the same port.
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
    this.child = await startRedisServer(this.port);
  }

  /** Kills the server (SIGKILL: nothing is flushed, clients see the connection drop). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopRedisServer(child);
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
}
