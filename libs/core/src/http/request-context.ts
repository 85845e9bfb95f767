import type { HttpRequestLike } from './http-types.js';

/** The `http_request` part of an event's context. */
export interface HttpRequestContext {
  args: Record<string, string>;
  path: string;
  method: string;
  user_agent: string;
}

// Query arguments whose names suggest a credential are never written to the event log.
const SECRET_ARG = /pass|secret|token|key|code|auth/i;

/** Describes a request for the audit log, without credentials. */
export function httpRequestContext(request: HttpRequestLike): HttpRequestContext {
  const raw = request.originalUrl ?? request.url ?? '/';
  const url = new URL(raw, 'http://placeholder');
  const args: Record<string, string> = {};
  for (const [key, value] of url.searchParams) args[key] = SECRET_ARG.test(key) ? '********' : value;
  return { args, path: url.pathname, method: request.method, user_agent: userAgent(request) };
}

export function userAgent(request: HttpRequestLike): string {
  const value = request.headers['user-agent'];
  return (Array.isArray(value) ? value[0] : value)?.slice(0, 512) ?? '';
}
