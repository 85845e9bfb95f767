import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TcpCutProxy } from './support/tcp-cut-proxy.js';

/** The proxy that outage tests put between the app and PostgreSQL: cut, then restore. */
describe('TcpCutProxy', () => {
  let proxy: TcpCutProxy;

  beforeAll(async () => {
    proxy = await TcpCutProxy.start(inject('databaseUrl'));
  });
  afterAll(async () => {
    await proxy.close();
  });

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: proxy.url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  it('forwards, drops open connections and refuses new ones when cut (reset), and forwards again when restored', async () => {
    const before = await connect();
    await expect(before.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });

    proxy.cut();
    expect(proxy.isCut).toBe(true);
    await expect(before.query('SELECT 1')).rejects.toThrow();
    await expect(connect()).rejects.toThrow();
    expect(proxy.openConnections).toBe(0);

    proxy.restore();
    const after = await connect();
    await expect(after.query('SELECT 2 AS two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
    await after.end();
  });

  it('holds connections without an answer when cut as a blackhole, so only client timeouts end the wait', async () => {
    const open = await connect();
    proxy.cut('blackhole');
    const stalled = open.query({ text: 'SELECT 1', query_timeout: 300 } as pg.QueryConfig);
    await expect(stalled).rejects.toThrow(/timeout/i);
    await expect(connect().then((c) => c.end())).rejects.toThrow(/timeout/i);
    expect(proxy.openConnections).toBeGreaterThan(0);

    proxy.restore();
    expect(proxy.openConnections).toBe(0);
    const after = await connect();
    await expect(after.query('SELECT 3 AS three')).resolves.toMatchObject({ rows: [{ three: 3 }] });
    await after.end();
  });
});
