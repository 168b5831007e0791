import { connect, createServer, type Server, type Socket } from 'node:net';

/** A blocking read in RESP: `BLOCK` as an argument (XREADGROUP … BLOCK, XREAD BLOCK). */
const BLOCKING_READ = /\r\nBLOCK\r\n/i;

/**
 * A loopback TCP proxy in front of Redis that leaves blocking reads without an answer, as a
 * connection whose peer vanished without closing it (half-open) does. While `freeze()` is on,
 * a connection that sends a blocking read is cut off both ways, its socket left open: the read
 * never reaches Redis and no reply ever comes. Other connections (commands, acks) pass.
 * `blackHole()` does that to every connection, open or new: Redis is unreachable, yet no
 * connection fails. `cut()` resets every connection and refuses new ones (Redis down).
 */
export class HalfOpenProxy {
  /** When each connection was frozen (Date.now()), in order. */
  readonly frozenAt: number[] = [];
  /** Frozen connections the client has closed since. */
  closedByClient = 0;
  private freezing = false;
  private blackHoling = false;
  private refusing = false;
  private readonly clients = new Set<Socket>();
  private readonly frozen = new Set<Socket>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<HalfOpenProxy> {
    const holder: { proxy?: HalfOpenProxy } = {};
    const server = createServer((client) => holder.proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new HalfOpenProxy(server, (server.address() as { port: number }).port);
    return holder.proxy;
  }

  /** From now on, each connection that sends a blocking read is frozen. */
  freeze(): void {
    this.freezing = true;
  }

  /** Every connection, open or new, is frozen. */
  blackHole(): void {
    this.blackHoling = true;
    for (const client of this.clients) this.frozen.add(client);
  }

  /**
   * Resets every connection and stops listening until `thaw()`: new connections are refused
   * (an accepted-then-reset one would count as a successful connect for ioredis).
   */
  cut(): void {
    this.refusing = true;
    this.server.close();
    for (const client of this.clients) client.resetAndDestroy();
  }

  /** Everything passes again; frozen connections are reset, as a timed-out peer's would be. */
  async thaw(): Promise<void> {
    if (this.refusing) {
      await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    }
    this.freezing = false;
    this.blackHoling = false;
    this.refusing = false;
    for (const socket of this.frozen) socket.resetAndDestroy();
    this.frozen.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    this.clients.add(client);
    if (this.blackHoling) this.frozen.add(client);
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      this.clients.delete(client);
      if (this.frozen.delete(client)) this.closedByClient++;
      upstream.destroy();
    });
    client.on('data', (chunk: Buffer) => {
      if (!this.frozen.has(client) && this.freezing && BLOCKING_READ.test(chunk.toString())) {
        this.frozen.add(client);
        this.frozenAt.push(Date.now());
      }
      if (!this.frozen.has(client)) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.frozen.has(client)) client.write(chunk);
    });
  }
}
