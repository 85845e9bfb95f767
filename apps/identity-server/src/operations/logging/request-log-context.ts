/**
 * What the lines logged about a request carry: its id and, once the session check or the login
 * has found them, the user and session uuid. One mutable object per request, kept on the request
 * itself (the request observer puts it there before anything else sees the request), so learning
 * the user costs two property writes.
 *
 * Not an AsyncLocalStorage on purpose: on Node 20 one store switches on promise hooks for the
 * whole process, and every promise then pays for them; measured on the session check it was 17
 * of 89 µs of server CPU per request (docs/performance.md). Code that logs about a request is
 * handed the request instead (the request observer, the session log observer, the error filter).
 */
export interface RequestLogFields {
  reqId: string;
  user?: string;
  session?: string;
}

const LOG_FIELDS = Symbol('idp.requestLog');
type Carrier = { [LOG_FIELDS]?: RequestLogFields; raw?: unknown };

/** Gives `request` (and, under Fastify, its raw Node request) the fields its lines carry. */
export function attachRequestLog(request: object, fields: RequestLogFields): void {
  (request as Carrier)[LOG_FIELDS] = fields;
  const raw = (request as Carrier).raw;
  if (raw && typeof raw === 'object') (raw as Carrier)[LOG_FIELDS] = fields;
}

/** The fields of `request` (Fastify's request or Node's), or undefined for a request the observer never saw. */
export function requestLogOf(request: object): RequestLogFields | undefined {
  return (request as Carrier)[LOG_FIELDS];
}

/** Puts the user (and session) on the request's lines; for a request without fields it does nothing. */
export function assignRequestUser(request: object, user: string, session: string | undefined): void {
  const fields = requestLogOf(request);
  if (!fields) return;
  fields.user = user;
  if (session) fields.session = session;
}
