import autocannon from 'autocannon';

/** One autocannon run's figures. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with an unexpected status, plus socket errors and timeouts. */
  failures: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Changes each request before it is sent (e.g. another X-Forwarded-For). */
  setupRequest?: (request: { headers: Record<string, string>; path: string }) => unknown;
  expectStatus: number;
  connections: number;
  durationSeconds: number;
}

/** Drives `url` with autocannon (keep-alive, no pipelining) and counts every unexpected status. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  let failures = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        pipelining: 1,
        timeout: 10,
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
        resolve({
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          failures: failures + result.errors + result.timeouts,
          total: result.requests.total,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number) => {
      if (statusCode !== options.expectStatus) failures++;
    });
  });
}
