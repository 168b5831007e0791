import { connect, createServer, type Server, type Socket } from 'node:net';

type Mode = 'pass' | 'lose-reply' | 'lose-request';

/**
 * A loopback TCP proxy in front of MariaDB that loses one packet of a chosen statement, as a
 * network that drops a connection mid-statement does. `loseReply(marker)`: the next client
 * packet containing `marker` reaches the server, which runs it, but its reply is held back
 * until `cut()` resets the connection (the client never learns the outcome).
 * `loseRequest(marker)`: that packet never reaches the server and the connection is reset at
 * once. Every other packet and connection passes untouched.
 */
export class ReplyCuttingProxy {
  private mode: Mode = 'pass';
  private marker = '';
  private held: { client: Socket; upstream: Socket } | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<ReplyCuttingProxy> {
    const holder: { proxy?: ReplyCuttingProxy } = {};
    const server = createServer((client) => holder.proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new ReplyCuttingProxy(server, (server.address() as { port: number }).port);
    return holder.proxy;
  }

  loseReply(marker: string): void {
    this.mode = 'lose-reply';
    this.marker = marker;
  }

  loseRequest(marker: string): void {
    this.mode = 'lose-request';
    this.marker = marker;
  }

  /** True once a packet with the marker went to the server and its reply is being held. */
  get holding(): boolean {
    return this.held !== null;
  }

  /** Resets the connection whose reply is held. */
  cut(): void {
    this.held?.client.resetAndDestroy();
    this.held?.upstream.destroy();
    this.held = null;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    let holding = false;
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      if (this.mode !== 'pass' && chunk.includes(this.marker)) {
        const mode = this.mode;
        this.mode = 'pass';
        if (mode === 'lose-request') {
          client.resetAndDestroy();
          return;
        }
        holding = true;
        this.held = { client, upstream };
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!holding) client.write(chunk);
    });
  }
}
