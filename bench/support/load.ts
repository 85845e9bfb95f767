import autocannon from 'autocannon';
import { cpuMicros, cpuUsedBetween } from './cpu-time.js';

/** One autocannon run's figures. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with an unexpected status, plus socket errors and timeouts. */
  failures: number;
  total: number;
  /** CPU µs per answered request, of the server process(es), of the database backends, of the client. */
  cpuPerRequestUs?: { server: number | null; database: number | null; client: number };
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Changes each request before it is sent (rebuilt per request: costs the client CPU). */
  setupRequest?: (request: { headers: Record<string, string>; path: string }) => unknown;
  /**
   * Headers of the requests connection `index` (of `connections`) sends in turn, built before the
   * clock starts: a varying request that costs the client no more than a fixed one.
   */
  headersPerConnection?: (index: number, connections: number) => Array<Record<string, string>>;
  expectStatus: number;
  connections: number;
  durationSeconds: number;
  /** Processes whose CPU time is counted per request: the server, and the database's backends (asked before and after). */
  cpu?: { server: number[]; database: () => Promise<number[]> };
}

/** Drives `url` with autocannon (keep-alive, no pipelining) and counts every unexpected status. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { cpu } = options;
  const databaseBefore = cpu ? cpuMicros(await cpu.database()) : null;
  const serverBefore = cpu ? cpuMicros(cpu.server) : null;
  const { result, client } = await drive(options);
  const serverUsed = cpu ? cpuUsedBetween(serverBefore, cpuMicros(cpu.server)) : null;
  const databaseUsed = cpu ? cpuUsedBetween(databaseBefore, cpuMicros(await cpu.database())) : null;
  const answered = Math.max(result.total, 1);
  return {
    ...result,
    cpuPerRequestUs: {
      server: serverUsed === null ? null : serverUsed / answered,
      database: databaseUsed === null ? null : databaseUsed / answered,
      client: client / answered,
    },
  };
}

/** One autocannon run, and the CPU µs this process used from when its clock started. */
function drive(options: LoadOptions): Promise<{ result: LoadResult; client: number }> {
  let failures = 0;
  let nextConnection = 0;
  let clientBefore: NodeJS.CpuUsage;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        pipelining: 1,
        timeout: 10,
        ...(options.headersPerConnection
          ? {
              // Called as each connection is created, before autocannon starts its clock.
              setupClient: (client: any) =>
                client.setRequests(
                  options.headersPerConnection!(nextConnection++, options.connections).map((headers) => ({
                    method: options.method ?? 'GET',
                    headers: { ...options.headers, ...headers },
                    body: options.body,
                  })),
                ),
            }
          : {}),
        requests: [
          {
            method: options.method ?? 'GET',
            headers: options.headers,
            body: options.body,
            ...(options.setupRequest
              ? {
                  setupRequest: (request: any) => {
                    request.headers = { ...request.headers };
                    options.setupRequest!(request);
                    return request;
                  },
                }
              : {}),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const used = process.cpuUsage(clientBefore);
        resolve({
          result: {
            requestsPerSecond: result.requests.average,
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            failures: failures + result.errors + result.timeouts,
            total: result.requests.total,
          },
          client: used.user + used.system,
        });
      },
    );
    // autocannon builds the connections (and their prebuilt requests) synchronously, before its
    // clock starts: the client's CPU per request counts from here.
    clientBefore = process.cpuUsage();
    instance.on('response', (_client: unknown, statusCode: number) => {
      if (statusCode !== options.expectStatus) failures++;
    });
  });
}
