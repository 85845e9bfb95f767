import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every line logged while serving a request carries: its id and, once the session check or
 * the login has found them, the user and session uuid. One mutable object per request, so
 * learning the user costs two property writes, not a new logger.
 */
export interface RequestLogFields {
  reqId: string;
  user?: string;
  session?: string;
}

const storage = new AsyncLocalStorage<RequestLogFields>();

/** Runs `next` (and everything it schedules) as part of the request `fields` describe. */
export function runInRequestLog(fields: RequestLogFields, next: () => void): void {
  storage.run(fields, next);
}

/** The fields of the request being served, or undefined outside a request (start-up, jobs). */
export function currentRequestLog(): RequestLogFields | undefined {
  return storage.getStore();
}

/** Puts the user (and session) on the current request's lines; outside a request it does nothing. */
export function assignRequestUser(user: string, session: string | undefined): void {
  const fields = storage.getStore();
  if (!fields) return;
  fields.user = user;
  if (session) fields.session = session;
}
