// What counting costs the session check: the observer call the check makes on every
// authenticated request (`UserLoginObservers.bindingChecked`), with no observer, with the app's
// Prometheus counter behind it, and with the counter and the log-context observer. Compare the
// per-call time with the session check itself (about 0.6 ms per request in session-check.bench.ts).
import { User, type HttpRequestLike } from '@idp/core';
import { Session, UserLoginObservers, type ActiveSession } from '@idp/user-login';
import { Counter, Registry } from 'prom-client';
import { bench, describe } from 'vitest';

const found: ActiveSession = {
  session: Object.assign(new Session(), { uuid: '00000000-0000-4000-8000-000000000001' }),
  user: Object.assign(new User(), { uuid: '00000000-0000-4000-8000-0000000000aa' }),
};

const request = { headers: {} } as HttpRequestLike;
const bare = new UserLoginObservers();

const counted = new UserLoginObservers();
const registry = new Registry();
const checks = new Counter({
  name: 'session_binding_checks_total',
  help: 'bench',
  labelNames: ['result'] as const,
  registers: [registry],
});
counted.add({ bindingChecked: (result) => checks.inc({ result }) });

const countedAndLogged = new UserLoginObservers();
let assigned: unknown;
countedAndLogged.add({ bindingChecked: (result) => checks.inc({ result }) });
// Stands in for the session log observer, which writes the user and session on the request's log fields.
countedAndLogged.add({
  bindingChecked: (_result, { user, session }) => (assigned = { user: user.uuid, session: session.uuid }),
});

describe('one binding-check notification', () => {
  bench('no observer', () => {
    bare.bindingChecked('same_ip', found, request);
  });
  bench('prom-client counter', () => {
    counted.bindingChecked('same_ip', found, request);
  });
  bench('counter + log context', () => {
    countedAndLogged.bindingChecked('same_ip', found, request);
  });
});

export { assigned };
