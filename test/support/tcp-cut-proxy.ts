import { once } from 'node:events';
import net from 'node:net';

/**
 * How a cut looks to the client:
 * - `reset`: open connections are reset (RST) and new ones are reset as soon as they arrive,
 *   as when the database server has gone away;
 * - `blackhole`: open connections stop carrying bytes and new ones are accepted but never
 *   answered, as in a network partition: only the client's own timeouts end its waits.
 */
export type CutMode = 'reset' | 'blackhole';

/**
 * A TCP proxy in front of PostgreSQL (or any TCP server) that a test can cut and restore, to
 * see how the application behaves while its database is unreachable and after it comes back.
 * Cutting never touches the real server, so other suites sharing it are unaffected.
 *
 * @example
 * const proxy = await TcpCutProxy.start(databaseUrl);
 * const app = await boot(proxy.url);  // the app talks to Postgres through the proxy
 * proxy.cut();                         // existing connections dropped, new ones refused
 * proxy.restore();                     // new connections reach Postgres again
 * await proxy.close();
 */
export class TcpCutProxy {
  private readonly pairs = new Set<Pair>();
  private mode: CutMode | undefined;
  /** Connections accepted since start (including the refused and blackholed ones). */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
    private readonly targetUrl: URL | undefined,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on 127.0.0.1 (a free port) and forwards to `target` (a postgres:// URL or host and port). */
  static async start(target: string | { host: string; port: number }): Promise<TcpCutProxy> {
    const url = typeof target === 'string' ? new URL(target) : undefined;
    const upstream = url ? { host: url.hostname || '127.0.0.1', port: Number(url.port || 5432) } : target;
    const server = net.createServer({ noDelay: true });
    const proxy = new TcpCutProxy(server, upstream as { host: string; port: number }, url);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The target URL with its host and port replaced by the proxy's (only when started from a URL). */
  get url(): string {
    if (!this.targetUrl) throw new Error('TcpCutProxy.url: start the proxy from a URL to get one');
    const url = new URL(this.targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get isCut(): boolean {
    return this.mode !== undefined;
  }

  /** Connections currently forwarded (or held, during a blackhole cut). */
  get openConnections(): number {
    return this.pairs.size;
  }

  /** Cuts the line: see {@link CutMode}. Cutting twice keeps the first mode. */
  cut(mode: CutMode = 'reset'): void {
    if (this.mode) return;
    this.mode = mode;
    for (const pair of this.pairs) {
      if (mode === 'reset') this.drop(pair);
      else this.freeze(pair);
    }
  }

  /** New connections reach the target again; connections held by a blackhole cut are dropped. */
  restore(): void {
    if (this.mode === 'blackhole') for (const pair of this.pairs) this.drop(pair);
    this.mode = undefined;
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair);
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }

  private accept(client: net.Socket): void {
    this.accepted += 1;
    client.on('error', () => undefined);
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client };
    this.pairs.add(pair);
    client.once('close', () => this.drop(pair));
    if (this.mode === 'blackhole') {
      this.freeze(pair);
      return;
    }
    const upstream = net.connect({ ...this.target, noDelay: true });
    upstream.on('error', () => undefined);
    upstream.once('close', () => this.drop(pair));
    pair.upstream = upstream;
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Stops forwarding in both directions; bytes sent meanwhile are read and thrown away. */
  private freeze({ client, upstream }: Pair): void {
    client.unpipe();
    upstream?.unpipe();
    client.on('data', () => undefined);
    upstream?.on('data', () => undefined);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (pair.upstream && !pair.upstream.destroyed) pair.upstream.destroy();
  }
}

/** A client connection and, unless it arrived during a blackhole cut, its upstream connection. */
interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}
