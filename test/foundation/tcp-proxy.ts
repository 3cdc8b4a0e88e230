import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL, so a test can take the database away from a running service
 * and give it back: `close()` refuses new connections and cuts the open ones (a database outage),
 * `reopen()` listens again on the same port, `pause()` holds every byte in both directions (a
 * stalled network) until `resume()`.
 */
export class TcpProxy {
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private readonly held: (() => void)[] = [];
  /** Client connections accepted since start. */
  accepted = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private listenPort: number,
  ) {
    this.server = this.createServer();
  }

  /** Starts a proxy to the host and port of `databaseUrl`. */
  static async forUrl(databaseUrl: string): Promise<TcpProxy> {
    const url = new URL(databaseUrl);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432), 0);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.listenPort);
    return url.toString();
  }

  /** Stops listening and cuts every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.held.length = 0;
    await closed;
  }

  /** Listens again on the same port after close(). */
  async reopen(): Promise<void> {
    this.server = this.createServer();
    await this.listen();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const release of this.held.splice(0)) release();
  }

  private async listen(): Promise<void> {
    this.server.listen(this.listenPort, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
    this.listenPort = address.port;
  }

  private createServer(): Server {
    return createServer({ allowHalfOpen: true }, (client) => {
      this.accepted += 1;
      const upstream = connect({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
    });
  }

  /** Copies bytes and the end of stream from one side to the other, holding them while paused. */
  private forward(from: Socket, to: Socket): void {
    const run = (step: () => void) => (this.paused ? this.held.push(step) : step());
    from.on('data', (chunk: Buffer) => run(() => to.write(chunk)));
    from.on('end', () => run(() => to.end()));
    from.on('close', (hadError) => {
      if (hadError) to.destroy();
    });
  }
}
