import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TLS-terminating reverse proxy in front of the test server, as identity servers usually run. */
export interface TlsProxy {
  /** `https://localhost:<port>` */
  baseUrl: string;
  /** Base64 SHA-256 of the certificate's public key, for Chromium's `--ignore-certificate-errors-spki-list`. */
  spkiHash: string;
  /** Every request that went through, with the status it got. */
  log: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

/**
 * Makes a throw-away certificate for localhost (openssl, as on any Debian machine) and forwards
 * every request to `upstream` over plain HTTP with `X-Forwarded-Proto: https`, the way a
 * load balancer does; the server trusts it because it connects from loopback.
 */
export async function startTlsProxy(upstream: string): Promise<TlsProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'idp-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    const target = new URL(upstream);
    const log: TlsProxy['log'] = [];
    const server = https.createServer({ key, cert }, (request, response) => {
      const forwarded = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: {
            ...request.headers,
            'x-forwarded-proto': 'https',
            'x-forwarded-for': request.socket.remoteAddress ?? '127.0.0.1',
          },
        },
        (answer) => {
          log.push({ method: request.method ?? '', path: request.url ?? '', status: answer.statusCode ?? 0 });
          // Raw headers keep every Set-Cookie line as it was.
          response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      request.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `https://localhost:${port}`,
      spkiHash: createHash('sha256').update(spki).digest('base64'),
      log,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
