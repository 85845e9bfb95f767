import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { trustedProxies } from '../../hardening/trusted-proxies.js';

// What a proxy's request id may look like: enough for UUIDs, ULIDs and AWS/Cloudflare ids, and
// nothing that could break a log line (no spaces, quotes or control characters).
const REQUEST_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * Builds the request-id source: a trusted proxy's `X-Request-Id` is kept, so one id follows the
 * request through the proxy's logs and ours; anyone else's is replaced by a fresh UUID (a client
 * must not be able to make its requests look like someone else's in the logs).
 */
export function requestIdFrom(trustedProxyCidrs: string[]): (request: IncomingMessage) => string {
  const isTrusted = trustedProxies(trustedProxyCidrs);
  return (request) => {
    const header = request.headers['x-request-id'];
    if (typeof header === 'string' && REQUEST_ID.test(header) && isTrusted(request.socket.remoteAddress)) {
      return header;
    }
    return randomUUID();
  };
}
