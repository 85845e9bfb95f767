import { isCrossOrigin, isHttps, ownOrigin, type RawRequest } from './request-origin.js';
import { trustedProxies, type TrustedProxies } from './trusted-proxies.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Two years, without `includeSubDomains`: the server cannot know what its sibling hosts serve. */
const HSTS = 'max-age=63072000';

interface RawResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/**
 * Rules for what browsers may send, applied to every request before routing (createApp mounts
 * them right after the request observer: a Fastify hook, or an Express middleware) (docs/api.md and docs/security.md,
 * "Requests from browsers"):
 * - a state-changing request whose `Origin` names another origin is refused with 403
 *   `cross_origin`, unless it carries a bearer token (which a page on another site cannot add
 *   without a CORS preflight this server never approves). `SameSite=Lax` alone lets sibling
 *   subdomains through; this does not;
 * - a request body that is not `application/json` is refused with 415, so an HTML form
 *   (urlencoded, multipart, text/plain) on another site cannot drive the API or the executor;
 * - API answers carry `Cache-Control: no-store`, every answer `X-Content-Type-Options: nosniff`,
 *   and HTTPS answers (directly or via a trusted proxy) `Strict-Transport-Security`.
 */
export class BrowserRules {
  private readonly trusted: TrustedProxies;

  constructor(trustedProxyCidrs: readonly string[]) {
    this.trusted = trustedProxies(trustedProxyCidrs);
  }

  /** Sets the headers every answer gets; false when the request was refused (and answered) here. */
  check(request: RawRequest, response: RawResponse): boolean {
    // Mounted middleware sees `url` relative to its mount point; `originalUrl` is the full path.
    const path = (request.originalUrl ?? request.url ?? '/').split('?')[0];
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (path.startsWith('/api/') || path.startsWith('/-/')) response.setHeader('Cache-Control', 'no-store');
    if (isHttps(request, this.trusted)) response.setHeader('Strict-Transport-Security', HSTS);

    const method = (request.method ?? 'GET').toUpperCase();
    if (STATE_CHANGING.has(method)) {
      const origin = request.headers.origin;
      const bearer = /^bearer\s/i.test(String(request.headers.authorization ?? ''));
      if (typeof origin === 'string' && !bearer && isCrossOrigin(origin, ownOrigin(request, this.trusted))) {
        refuse(response, 403, { detail: 'Cross-origin request refused', code: 'cross_origin' });
        return false;
      }
    }
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      refuse(response, 415, {
        detail: 'Request bodies must be JSON (Content-Type: application/json).',
        code: 'unsupported_media_type',
      });
      return false;
    }
    return true;
  }
}

function hasBody(request: RawRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isJson(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  return contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}

function refuse(response: RawResponse, status: number, body: Record<string, string>): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.end(JSON.stringify(body));
}
