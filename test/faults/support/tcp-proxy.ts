import { createServer, type Server, type Socket, connect } from 'node:net';

type Mode = 'open' | 'cut' | 'stall' | 'drop-replies';

/**
 * A loopback TCP proxy in front of one server (MariaDB here) that a test can break, so one
 * store loses its database while the server itself (shared with other tests) is untouched:
 * - `cut()`: every open connection is reset and new ones are reset at once (a crashed server,
 *   a firewall that rejects);
 * - `stall()`: a black hole — connections stay open, nothing is forwarded either way, new ones
 *   are accepted and never answered (a partition, a firewall that drops packets);
 * - `dropReplies()`: requests still reach the server, its replies are dropped (the commit
 *   happens, the client never hears of it);
 * - `restore()`: forwards again; connections that lost data on the way are reset.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private mode: Mode = 'open';
  /** Connections accepted since start (including refused ones). */
  connections = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return holder.proxy;
  }

  get cutOff(): boolean {
    return this.mode === 'cut';
  }

  cut(): void {
    this.mode = 'cut';
    this.resetAll();
  }

  stall(): void {
    this.mode = 'stall';
  }

  dropReplies(): void {
    this.mode = 'drop-replies';
  }

  restore(): void {
    if (this.mode !== 'open' && this.mode !== 'cut') this.resetAll();
    this.mode = 'open';
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private resetAll(): void {
    for (const socket of this.sockets) reset(socket);
    this.sockets.clear();
  }

  private accept(client: Socket, host: string, port: number): void {
    this.connections++;
    client.on('error', () => undefined);
    if (this.mode === 'cut') {
      reset(client);
      return;
    }
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    if (this.mode === 'stall') return; // accepted, never answered
    const upstream = connect(port, host);
    this.sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk) => {
      if (this.mode === 'open' || this.mode === 'drop-replies') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.mode === 'open') client.write(chunk);
    });
  }
}

/** RST rather than FIN, as a dead peer or a firewall looks; a socket still connecting is destroyed. */
function reset(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
