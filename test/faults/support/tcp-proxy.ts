import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A loopback TCP proxy in front of one server (MariaDB here) that a test can cut: `cut()` drops
 * every open connection and refuses new ones (connections are accepted and reset at once, as a
 * crashed or firewalled server looks); `restore()` forwards again. The server itself is never
 * touched, so other tests using it are not disturbed.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private isCut = false;
  private stalled = false;
  /** Connections accepted since start (including refused ones). */
  connections = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get cutOff(): boolean {
    return this.isCut;
  }

  /** Resets every open connection and every new one until `restore()`. */
  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) reset(socket);
    this.sockets.clear();
  }

  /**
   * A black hole: connections stay open but nothing is forwarded any more, in either direction,
   * and new ones are accepted and never answered (a network partition, a dead host behind a
   * firewall that drops packets). Only TCP keepalive or a timeout can tell.
   */
  stall(): void {
    this.stalled = true;
    for (const socket of this.sockets) socket.pause();
  }

  restore(): void {
    this.isCut = false;
    if (this.stalled) {
      // What was held back is dropped, as a partition loses packets: reset those connections.
      for (const socket of this.sockets) reset(socket);
      this.sockets.clear();
      for (const socket of this.held) reset(socket);
      this.held.clear();
    }
    this.stalled = false;
  }

  private readonly held = new Set<Socket>();

  async close(): Promise<void> {
    this.cut();
    for (const socket of this.held) reset(socket);
    this.held.clear();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    this.connections++;
    client.on('error', () => undefined);
    if (this.isCut) {
      reset(client);
      return;
    }
    if (this.stalled) {
      client.pause();
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    const upstream = connect(port, host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => {
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    });
    upstream.on('close', () => client.destroy());
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
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
