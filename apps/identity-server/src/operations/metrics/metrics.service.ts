import { EventService, GeoIpService } from '@idp/core';
import { SessionTerminationHooks, UserLoginObservers } from '@idp/user-login';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const MAX_LABEL_SETS = 1000;

/**
 * The server's Prometheus metrics (docs/operations.md lists each with an example alert). The
 * registry is this instance's own, not prom-client's global one, so several apps in one process
 * (the e2e suites) never share or double-register counters.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly logins = new Counter({
    name: 'logins_total',
    help: 'Logins by result: success (a session was created), denied (the User Login stage refused the user), failed (wrong password)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly bindingChecks = new Counter({
    name: 'session_binding_checks_total',
    help: 'Session binding checks by result: same_ip, unbound, kept, broken, violation',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly bindingBreaks = new Counter({
    name: 'session_binding_breaks_total',
    help: 'Sessions terminated because their network or GeoIP binding broke, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly bindingViolations = new Counter({
    name: 'session_binding_violations_total',
    help: 'Binding breaks let through by stages in log-only binding mode, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly sessionsTerminated = new Counter({
    name: 'sessions_terminated_total',
    help: 'Sessions ended, by reason: logout, binding_broken, terminate_other_sessions, revoked_by_user, revoked_by_admin',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Set by every readiness check: 1 ready, 0 not. */
  readonly readiness = new Gauge({
    name: 'readiness_status',
    help: 'Result of the latest readiness check (/-/health/ready/): 1 ready, 0 not ready',
    registers: [this.registry],
  });

  // Labelled children, looked up once per label set: prom-client hashes the label object on every
  // call otherwise, a few microseconds on each request. Routes are templates and methods and
  // statuses few, so the map stays small; the cap only bounds a client inventing methods.
  private readonly httpChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  private readonly checkChildren = new Map<string, Counter.Internal>();

  constructor(
    private readonly observers: UserLoginObservers,
    private readonly terminations: SessionTerminationHooks,
    private readonly events: EventService,
    geoip: GeoIpService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'geoip_database_build_epoch_seconds',
      help: 'When the GeoIP database in use was built (Unix time), by database (city, asn) and type',
      labelNames: ['database', 'type'] as const,
      registers: [this.registry],
      // Read at scrape time, so a file reloaded from disk shows its new date.
      collect() {
        this.reset();
        for (const [database, db] of [
          ['city', geoip.cityDatabase],
          ['asn', geoip.asnDatabase],
        ] as const) {
          if (db) this.set({ database, type: db.info.databaseType }, db.info.buildEpoch.getTime() / 1000);
        }
      },
    });
  }

  // The subscriptions live as long as the app: they are not removed at shutdown, so requests
  // that finish while the server drains are still counted.
  onModuleInit(): void {
    // Counting is one increment of a labelled counter: it stays out of the session check's
    // cost (bench/micro/metrics-counting.bench.ts measures it).
    this.observers.add({
      bindingChecked: (result) => this.countCheck(result),
      bindingBroken: ({ reason }) => this.bindingBreaks.inc({ reason }),
      bindingViolated: ({ reason }) => this.bindingViolations.inc({ reason }),
      loginCompleted: ({ result }) => this.logins.inc({ result }),
    });
    this.terminations.subscribe(({ reason }) => {
      this.sessionsTerminated.inc({ reason });
    });
    this.events.subscribe(({ action }) => {
      if (action === 'login_failed') this.logins.inc({ result: 'failed' });
    });
  }

  /** Observes one answered request in `http_request_duration_seconds`. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    childFor(this.httpChildren, `${method} ${status} ${route}`, () =>
      this.httpDuration.labels({ method, route, status: String(status) }),
    ).observe(seconds);
  }

  private countCheck(result: string): void {
    childFor(this.checkChildren, result, () => this.bindingChecks.labels({ result })).inc();
  }
}

function childFor<T>(children: Map<string, T>, key: string, make: () => T): T {
  let child = children.get(key);
  if (!child) {
    if (children.size >= MAX_LABEL_SETS) children.clear();
    child = make();
    children.set(key, child);
  }
  return child;
}
