import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from '../user-login-options.interface.js';
import { SessionCache } from './session-cache.js';

/** Where the listener is: the cache is used only while it is `listening`. */
export type ListenerState = 'off' | 'connecting' | 'listening' | 'down';

const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 3_000;
const PING = 'ping:';
const LISTENER_CLIENT = { application_name: 'idp-session-listener', keepAlive: true } as const;
const MAX_RECONNECT_MS = 10_000;

/** How long to wait before reconnect attempt `failures` (1, 2, ...): doubling from `baseMs`, at most 10 s. */
export function reconnectDelayMs(failures: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (failures - 1), MAX_RECONNECT_MS);
}

/**
 * Holds one PostgreSQL connection that `LISTEN`s on `idp_sessions:<schema>` (filled by the
 * triggers of migration 1764300003000) and applies each notification to {@link SessionCache}.
 *
 * Exactness rests on one rule: the cache is on only while this connection is listening. When it
 * fails (error, end, or a heartbeat notification that does not come back within 3 s, which also
 * catches a silently dropped TCP connection) the cache is switched off and emptied before anything else, every
 * request goes to the database, and the listener reconnects with backoff; the cache comes back,
 * empty, once `LISTEN` succeeded again. Notifications missed in between cannot matter: nothing
 * cached before the failure survives it.
 *
 * It needs its own connection (not one from the pool) that stays on one server session: behind
 * PgBouncer in transaction mode give it a direct URL (`listenerUrl`); see docs/performance.md.
 */
@Injectable()
export class SessionInvalidationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionInvalidationListener.name);
  private client: pg.Client | null = null;
  private current: ListenerState = 'off';
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly stateListeners = new Set<(state: ListenerState) => void>();
  private channel = '';
  private pings = 0;
  // Other instances hear these pings too: each listener awaits only its own.
  private readonly id = randomBytes(6).toString('hex');
  private readonly awaitedPings = new Map<string, () => void>();

  constructor(
    private readonly cache: SessionCache,
    private readonly dataSource: DataSource,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
  ) {}

  /** Where the listener is now. */
  get state(): ListenerState {
    return this.current;
  }

  /** Calls `listener` on every state change; returns a function that stops that. */
  onStateChange(listener: (state: ListenerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** The backend pid of the listening connection (for operators and tests), or null. */
  async backendPid(): Promise<number | null> {
    if (this.current !== 'listening' || !this.client) return null;
    const { rows } = await this.client.query('SELECT pg_backend_pid() AS pid');
    return rows[0].pid as number;
  }

  onApplicationBootstrap(): void {
    if (!this.options.sessionCache || this.dataSource.options.type !== 'postgres') return;
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.goDown('off');
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    const client = new pg.Client(this.connectionConfig());
    this.client = client;
    client.on('error', (error) => this.fail(client, error));
    client.on('end', () => this.fail(client, new Error('connection ended')));
    client.on('notification', (message) => this.apply(message.payload ?? ''));
    try {
      await client.connect();
      const { rows } = await client.query(
        `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = 'sessions'::regclass`,
      );
      this.channel = `idp_sessions:${String(rows[0].schema)}`;
      await client.query(`LISTEN "${this.channel.replace(/"/g, '""')}"`);
    } catch (error) {
      this.fail(client, error as Error);
      return;
    }
    if (this.client !== client || this.stopped) return;
    this.failures = 0;
    this.cache.setActive(true);
    this.setState('listening');
    this.heartbeatTimer = setInterval(() => void this.heartbeat(client), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private apply(payload: string): void {
    if (payload.startsWith(PING)) {
      this.awaitedPings.get(payload)?.();
      return;
    }
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const value = payload.slice(colon + 1);
    if (kind === 's') this.cache.invalidateSessions(value.split(','));
    else if (kind === 'u') this.cache.invalidateUser(Number(value));
    else if (kind === 'st') this.cache.invalidateStage(value);
    // Anything else may be newer than this code: forgetting everything is always safe.
    else this.cache.clear();
  }

  // The heartbeat is a NOTIFY to itself that must come back: it proves the whole path works, so a
  // dropped connection, a hung server or a pooler that swallows notifications (PgBouncer in
  // transaction mode) all switch the cache off instead of leaving it trusted and deaf.
  private async heartbeat(client: pg.Client): Promise<void> {
    const ping = `${PING}${this.id}:${++this.pings}`;
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<void>((resolve, reject) => {
      this.awaitedPings.set(ping, resolve);
      timer = setTimeout(() => reject(new Error('heartbeat notification did not come back')), HEARTBEAT_TIMEOUT_MS);
    });
    try {
      await Promise.all([client.query('SELECT pg_notify($1, $2)', [this.channel, ping]), heard]);
    } catch (error) {
      this.fail(client, error as Error);
    } finally {
      clearTimeout(timer);
      this.awaitedPings.delete(ping);
    }
  }

  private fail(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.goDown(this.stopped ? 'off' : 'down');
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.failures++;
    if (this.failures === 1) this.logger.warn(`session cache off, listener lost: ${error.message}; reconnecting`);
    this.reconnectTimer = setTimeout(
      () => void this.connect(),
      reconnectDelayMs(this.failures, this.options.listenerReconnectMs),
    );
    this.reconnectTimer.unref();
  }

  // The cache goes off before anything else can run: no request may read it from here on.
  private goDown(state: ListenerState): void {
    this.cache.setActive(false);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.setState(state);
  }

  private setState(state: ListenerState): void {
    if (this.current === state) return;
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }

  // The same server, credentials and search_path as the pool, on a connection of its own.
  private connectionConfig(): pg.ClientConfig {
    const options = this.dataSource.options as {
      url?: string;
      host?: string;
      port?: number;
      username?: string;
      password?: string;
      database?: string;
      ssl?: pg.ClientConfig['ssl'];
      extra?: { options?: string };
    };
    if (this.options.listenerUrl) {
      return { connectionString: this.options.listenerUrl, options: options.extra?.options, ...LISTENER_CLIENT };
    }
    return {
      connectionString: options.url,
      host: options.host,
      port: options.port,
      user: options.username,
      password: options.password,
      database: options.database,
      ssl: options.ssl,
      options: options.extra?.options,
      ...LISTENER_CLIENT,
    };
  }
}
