import type { HttpRequestLike } from '@idp/core';
import { Injectable, Logger } from '@nestjs/common';
import type { ActiveSession } from './persistence/session.repository.js';

/**
 * How the binding check of one authenticated request ended: `same_ip` (the client kept its IP,
 * nothing to compare), `unbound` (a new IP, but the session has no binding levels), `kept` (a new
 * IP within the bound network and location), `broken` (the session was terminated), `violation`
 * (a break let through by a stage in log-only binding mode).
 */
export type BindingCheckResult = 'same_ip' | 'unbound' | 'kept' | 'broken' | 'violation';

/** A broken (or, in log-only mode, violated) binding. */
export interface BindingBreak {
  /** The reason code (docs/api.md, Session binding), e.g. `network.asn` or `geoip.country`. */
  reason: string;
  sessionUuid: string;
  /** The user the session belongs to. */
  userUuid: string;
  previousIp: string;
  newIp: string;
}

/** How a User Login stage ended: a session was created, or the login was refused. */
export interface LoginOutcome {
  result: 'success' | 'denied';
  /** Set on success. */
  sessionUuid?: string;
  /** Set when the pending user was known. */
  userUuid?: string;
}

/**
 * What the module tells an observer, e.g. a metrics or logging module of the host app (this
 * module has no opinion on either). Every method is optional and called synchronously on the
 * request path, so it must be cheap and must not throw (a throw is logged and ignored). Each
 * also gets the request it happened on, e.g. to put its id on a log line.
 */
export interface UserLoginObserver {
  /** Once per request with a live session, after its binding check; `found` is that session and its user. */
  bindingChecked?(result: BindingCheckResult, found: ActiveSession, request: HttpRequestLike): void;
  /** Once per terminated session, by the request that terminated it. */
  bindingBroken?(event: BindingBreak, request: HttpRequestLike): void;
  /** Once per violating move of a session whose stage only logs binding breaks. */
  bindingViolated?(event: BindingBreak, request: HttpRequestLike): void;
  /** Once per User Login stage run. */
  loginCompleted?(outcome: LoginOutcome, request: HttpRequestLike): void;
}

/**
 * The observers of this module's session checks and logins. Sessions that end are told through
 * {@link SessionTerminationHooks} instead, which also covers every other way a session ends.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class BindingMetrics implements OnModuleInit {
 *   constructor(private readonly observers: UserLoginObservers) {}
 *   onModuleInit() {
 *     this.observers.add({ bindingChecked: (result) => checks.inc({ result }) });
 *   }
 * }
 * ```
 */
@Injectable()
export class UserLoginObservers {
  private readonly logger = new Logger(UserLoginObservers.name);
  private observers: UserLoginObserver[] = [];

  /** Registers an observer; returns a function that removes it. */
  add(observer: UserLoginObserver): () => void {
    this.observers = [...this.observers, observer];
    return () => {
      this.observers = this.observers.filter((existing) => existing !== observer);
    };
  }

  /** Called by the module only. */
  bindingChecked(result: BindingCheckResult, found: ActiveSession, request: HttpRequestLike): void {
    // On every authenticated request: a plain loop, no closure per call.
    for (const observer of this.observers) {
      try {
        observer.bindingChecked?.(result, found, request);
      } catch (error) {
        this.failed(error);
      }
    }
  }

  /** Called by the module only. */
  bindingBroken(
    reason: string,
    found: ActiveSession,
    previousIp: string,
    newIp: string,
    request: HttpRequestLike,
  ): void {
    this.notifyBreak('bindingBroken', { reason, found, previousIp, newIp }, request);
  }

  /** Called by the module only. */
  bindingViolated(
    reason: string,
    found: ActiveSession,
    previousIp: string,
    newIp: string,
    request: HttpRequestLike,
  ): void {
    this.notifyBreak('bindingViolated', { reason, found, previousIp, newIp }, request);
  }

  /** Called by the module only. */
  loginCompleted(outcome: LoginOutcome, request: HttpRequestLike): void {
    for (const observer of this.observers) {
      try {
        observer.loginCompleted?.(outcome, request);
      } catch (error) {
        this.failed(error);
      }
    }
  }

  private notifyBreak(
    kind: 'bindingBroken' | 'bindingViolated',
    move: { reason: string; found: ActiveSession; previousIp: string; newIp: string },
    request: HttpRequestLike,
  ): void {
    const event: BindingBreak = {
      reason: move.reason,
      sessionUuid: move.found.session.uuid,
      userUuid: move.found.user.uuid,
      previousIp: move.previousIp,
      newIp: move.newIp,
    };
    for (const observer of this.observers) {
      try {
        observer[kind]?.(event, request);
      } catch (error) {
        this.failed(error);
      }
    }
  }

  private failed(error: unknown): void {
    this.logger.error(`user-login observer failed: ${String(error)}`);
  }
}
