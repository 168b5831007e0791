import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { clusterSlot } from '../../libs/flux/src/broker/cluster/cluster-slot.js';
import { waitFor } from '../../apps/demo/src/http-client.js';

const run = promisify(execFile);

interface ClusterNodeProcess {
  port: number;
  child: ChildProcess;
}

/** One line of CLUSTER NODES, the fields the tests need. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  master: boolean;
  failed: boolean;
  slots: [number, number][];
}

/**
 * A throw-away Redis Cluster of `redis-server --cluster-enabled yes` processes on free ports
 * (3 masters with one replica each by default), without persistence, in a temporary directory
 * that `stop()` deletes. A short node timeout makes failovers quick. Every node is killed on
 * `stop()`; a test that kills one itself (`killNode`) leaves the rest to `stop()`.
 */
export class RedisCluster {
  private readonly nodes = new Map<number, ClusterNodeProcess>();

  private constructor(
    private readonly dir: string,
    readonly nodeTimeoutMs: number,
  ) {}

  /** Starts `masters` masters with `replicas` replicas each and waits until every slot is served. */
  static async start(
    options: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {},
  ): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicas ?? 1;
    const dir = await mkdtemp(join(tmpdir(), 'flux-cluster-'));
    const cluster = new RedisCluster(dir, options.nodeTimeoutMs ?? 2_000);
    try {
      const ports = await freeClusterPorts(masters * (replicas + 1));
      for (const port of ports) cluster.spawnNode(port);
      await Promise.all(ports.map((port) => waitFor(`node ${port}`, () => ping(port), 10_000, 50)));
      const addresses = ports.map((port) => `127.0.0.1:${port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await cluster.waitHealthy(ports.length);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Seed nodes for `{ cluster: [...] }`: every node started. */
  get urls(): string[] {
    return [...this.nodes.keys()].map((port) => `redis://127.0.0.1:${port}`);
  }

  /** Ports of the nodes still running. */
  get ports(): number[] {
    return [...this.nodes.keys()];
  }

  /** CLUSTER NODES as seen by a running node. */
  async topology(): Promise<ClusterNodeInfo[]> {
    const text = await this.ask((redis) => redis.call('cluster', 'nodes') as Promise<string>);
    return parseNodes(text);
  }

  /** The master currently serving `key`'s slot. */
  async masterOf(key: string): Promise<ClusterNodeInfo> {
    const slot = clusterSlot(key);
    const master = (await this.topology()).find(
      (n) => n.master && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!master) throw new Error(`no master serves slot ${slot} of key "${key}"`);
    return master;
  }

  /** SIGKILLs one node (no shutdown, no save): its replica takes over after the node timeout. */
  async killNode(port: number): Promise<void> {
    const node = this.nodes.get(port);
    if (!node) return;
    this.nodes.delete(port);
    if (node.child.exitCode === null && node.child.signalCode === null) {
      const exited = once(node.child, 'exit');
      node.child.kill('SIGKILL');
      await exited;
    }
  }

  /**
   * Starts a killed node again on its port with its cluster config file: it rejoins the cluster
   * and, its slots having been taken over, becomes a replica of the master that replaced it.
   * Resolves once it is in sync with that master.
   */
  async restartNode(port: number, timeoutMs = 30_000): Promise<void> {
    this.spawnNode(port);
    await waitFor(`node ${port} back`, () => ping(port), 10_000, 50);
    await waitFor(
      `node ${port} in sync as a replica`,
      async () => {
        const replication = await withNode(port, (r) => r.info('replication'));
        return replication.includes('role:slave') && replication.includes('master_link_status:up');
      },
      timeoutMs,
      100,
    );
  }

  /**
   * Waits until the running nodes agree that every slot is served (cluster_state:ok on each of
   * them) by `masters` running masters, e.g. after a failover promoted a replica: a killed
   * master counts as serving until the others flag it failed, after the node timeout.
   */
  async waitServing(masters: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `cluster serving every slot with ${masters} running masters`,
      async () => {
        for (const port of this.ports) {
          const info = await withNode(port, (r) => r.call('cluster', 'info') as Promise<string>);
          if (!info.includes('cluster_state:ok')) return false;
          const live = parseNodes(
            await withNode(port, (r) => r.call('cluster', 'nodes') as Promise<string>),
          ).filter((n) => n.master && n.slots.length > 0);
          const covered = live.reduce(
            (sum, n) => sum + n.slots.reduce((s, [a, b]) => s + b - a + 1, 0),
            0,
          );
          if (live.length !== masters || covered !== 16384) return false;
          if (!live.every((n) => this.nodes.has(n.port) && !n.failed)) return false;
        }
        return true;
      },
      timeoutMs,
      100,
    );
  }

  /** Moves `slots` slots from the master on `fromPort` to the one on `toPort` (redis-cli reshard). */
  async reshard(fromPort: number, toPort: number, slots: number): Promise<void> {
    const nodes = await this.topology();
    const id = (port: number) => nodes.find((n) => n.port === port)!.id;
    await run(
      'redis-cli',
      [
        '--cluster',
        'reshard',
        `127.0.0.1:${toPort}`,
        '--cluster-from',
        id(fromPort),
        '--cluster-to',
        id(toPort),
        '--cluster-slots',
        String(slots),
        '--cluster-pipeline',
        '10',
        '--cluster-yes',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  }

  /** Kills every node and deletes the directory. */
  async stop(): Promise<void> {
    await Promise.all(this.ports.map((port) => this.killNode(port)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private spawnNode(port: number): void {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(this.dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      String(this.nodeTimeoutMs),
      // A replica may take over however long it was cut off: a test kills masters on purpose.
      '--cluster-replica-validity-factor',
      '0',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.nodes.set(port, { port, child });
  }

  private async waitHealthy(count: number): Promise<void> {
    await waitFor(
      'new cluster: every node sees every slot served and every replica in sync',
      async () => {
        for (const port of this.ports) {
          const info = await withNode(port, (r) => r.call('cluster', 'info') as Promise<string>);
          if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${count}`))
            return false;
          const replication = await withNode(port, (r) => r.info('replication'));
          if (replication.includes('role:slave') && !replication.includes('master_link_status:up'))
            return false;
        }
        return true;
      },
      30_000,
      100,
    );
  }

  private async ask<T>(question: (redis: Redis) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const port of this.ports) {
      try {
        return await withNode(port, question);
      } catch (error) {
        last = error;
      }
    }
    throw last ?? new Error('no cluster node is running');
  }
}

async function withNode<T>(port: number, question: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await question(redis);
  } finally {
    redis.disconnect();
  }
}

async function ping(port: number): Promise<boolean> {
  return (await withNode(port, (r) => r.ping())) === 'PONG';
}

function parseNodes(text: string): ClusterNodeInfo[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, , , , , , ...slotFields] = line.split(' ');
      const slots = slotFields
        .filter((f) => !f.startsWith('['))
        .map((f): [number, number] => {
          const [a, b] = f.split('-').map(Number);
          return [a, b ?? a];
        });
      return {
        id,
        port: Number(address.split('@')[0].split(':')[1]),
        master: flags.includes('master'),
        failed: flags.includes('fail'),
        slots,
      };
    });
}

/** `count` ports free on 127.0.0.1 whose cluster bus ports (port + 10000) are free too. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000))
      continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
