import {
  appendSetCookie,
  CLOCK,
  cookieNameInForce,
  cookieSecure,
  hashToken,
  newToken,
  readCookie,
  UserRepository,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
  type User,
} from '@idp/core';
import { BadRequestException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FlowExecution } from '../persistence/flow-execution.entity.js';
import { FlowExecutionRepository } from '../persistence/flow-execution.repository.js';
import type { FlowStageBinding } from '../persistence/flow-stage-binding.entity.js';
import type { Flow } from '../persistence/flow.entity.js';
import { FlowRepository } from '../persistence/flow.repository.js';
import { FLOWS_OPTIONS, type FlowsOptions } from '../flows-options.js';
import { safeNextPath } from './safe-next.js';
import type { StageContext, StageOutcome } from './stage-handler.interface.js';
import { StageHandlerRegistry } from './stage-handler.registry.js';

export type Challenge = Record<string, unknown>;

/**
 * Runs flows: finds the browser's place in a flow (by the flow cookie), asks the current stage
 * for its challenge or hands it the browser's answer, and moves on until a stage needs input,
 * the flow is denied, or it ends in a redirect.
 */
@Injectable()
export class FlowExecutorService {
  private readonly logger = new Logger(FlowExecutorService.name);

  constructor(
    private readonly flows: FlowRepository,
    private readonly executions: FlowExecutionRepository,
    private readonly registry: StageHandlerRegistry,
    private readonly users: UserRepository,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FLOWS_OPTIONS) private readonly options: FlowsOptions,
  ) {}

  /** GET: the current challenge (starting the flow if needed). */
  show(
    slug: string,
    request: HttpRequestLike,
    response: HttpResponseLike,
    query: Record<string, unknown>,
  ): Promise<Challenge> {
    return this.run(slug, request, response, query, undefined);
  }

  /** POST: hand the answer to the current stage, then return what comes next. */
  answer(
    slug: string,
    request: HttpRequestLike,
    response: HttpResponseLike,
    query: Record<string, unknown>,
    body: unknown,
  ): Promise<Challenge> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException({ detail: 'The challenge response must be a JSON object.' });
    }
    return this.run(slug, request, response, query, body as Record<string, unknown>);
  }

  /**
   * DELETE: forgets the browser's place in a flow and clears the flow cookie, so the next GET
   * starts at the first stage. The login session cookie is left alone: cancelling a sign-in is
   * not signing out. A missing, unknown or garbage flow cookie is not an error.
   * @throws NotFoundException when no flow has this slug
   */
  async cancel(slug: string, request: HttpRequestLike, response: HttpResponseLike): Promise<void> {
    const flow = await this.flows.findBySlug(slug);
    if (!flow) throw new NotFoundException({ detail: `Flow "${slug}" not found.`, code: 'flow_not_found' });
    const token = readCookie(request, this.flowCookieName(request));
    // One cookie serves every flow, so whatever execution it points to goes, whichever flow it is in.
    if (token && token.length <= 128) await this.executions.delete(hashToken(token));
    // Cleared even when unreadable: a cookie the parser rejects would otherwise linger.
    this.setFlowCookie(request, response, '', true);
  }

  private async run(
    slug: string,
    request: HttpRequestLike,
    response: HttpResponseLike,
    query: Record<string, unknown>,
    body: Record<string, unknown> | undefined,
  ): Promise<Challenge> {
    const flow = await this.flows.findBySlug(slug);
    if (!flow) throw new NotFoundException({ detail: `Flow "${slug}" not found.`, code: 'flow_not_found' });
    const bindings = await this.flows.bindingsOf(flow.flowUuid);
    const execution = await this.resume(flow, request, response, query);

    let outcome: StageOutcome;
    if (execution.position >= bindings.length) {
      outcome = { kind: 'next' };
      execution.position = bindings.length - 1;
    } else {
      outcome = await this.step(bindings[execution.position], flow, execution, request, response, body);
    }
    while (outcome.kind === 'next') {
      execution.position += 1;
      if (execution.position >= bindings.length) return this.finish(execution, request, response);
      outcome = await this.step(bindings[execution.position], flow, execution, request, response, undefined);
    }
    if (outcome.kind === 'deny') {
      await this.end(execution, request, response);
      return this.decorate(flow, { component: 'ak-stage-access-denied', error_message: outcome.message });
    }
    await this.executions.save(execution);
    return this.decorate(flow, outcome.challenge);
  }

  private async step(
    binding: FlowStageBinding,
    flow: Flow,
    execution: FlowExecution,
    request: HttpRequestLike,
    response: HttpResponseLike,
    body: Record<string, unknown> | undefined,
  ): Promise<StageOutcome> {
    const handler = this.registry.get(binding.stage.type);
    if (!handler) {
      this.logger.error(`No handler for stage type "${binding.stage.type}" (stage "${binding.stage.name}")`);
      return { kind: 'deny', message: 'This flow contains a stage the server cannot run.' };
    }
    const context: StageContext = {
      request,
      response,
      flow,
      stage: binding.stage,
      execution,
      pendingUser: () => this.pendingUserOf(execution),
    };
    return body === undefined ? handler.challenge(context) : handler.submit(context, body);
  }

  // Stages ask for the pending user several times in one step; one query per user is enough.
  private readonly loadedUsers = new WeakMap<FlowExecution, { pk: number; user: Promise<User | null> }>();

  private pendingUserOf(execution: FlowExecution): Promise<User | null> {
    const pk = execution.pendingUserPk;
    if (pk === null) return Promise.resolve(null);
    const cached = this.loadedUsers.get(execution);
    if (cached?.pk === pk) return cached.user;
    const user = this.users.findByPk(pk);
    this.loadedUsers.set(execution, { pk, user });
    return user;
  }

  /** The browser's execution of this flow, or a new one (with a new flow cookie). */
  private async resume(
    flow: Flow,
    request: HttpRequestLike,
    response: HttpResponseLike,
    query: Record<string, unknown>,
  ): Promise<FlowExecution> {
    const now = this.clock.now();
    const token = readCookie(request, this.flowCookieName(request));
    if (token && token.length <= 128) {
      const existing = await this.executions.findActive(hashToken(token), now);
      if (existing && existing.flowUuid === flow.flowUuid) return existing;
      if (existing) await this.executions.delete(existing.tokenHash);
    }
    const fresh = newToken();
    const execution = Object.assign(new FlowExecution(), {
      tokenHash: hashToken(fresh),
      flowUuid: flow.flowUuid,
      position: 0,
      pendingUserPk: null,
      context: { next: safeNextPath(query.next) },
      expires: new Date(now.getTime() + this.options.flowLifetimeMs),
    });
    this.setFlowCookie(request, response, fresh);
    return execution;
  }

  private async finish(
    execution: FlowExecution,
    request: HttpRequestLike,
    response: HttpResponseLike,
  ): Promise<Challenge> {
    await this.end(execution, request, response);
    return { component: 'xak-flow-redirect', to: safeNextPath(execution.context.next) };
  }

  private async end(execution: FlowExecution, request: HttpRequestLike, response: HttpResponseLike): Promise<void> {
    await this.executions.delete(execution.tokenHash);
    this.setFlowCookie(request, response, '', true);
  }

  /**
   * authentik's `flow_info` (its clients require `cancel_url` and `layout`), plus the flow's slug
   * and designation. There are no backgrounds; cancelling is a DELETE on the executor URL.
   */
  private decorate(flow: Flow, challenge: Challenge): Challenge {
    return {
      ...challenge,
      flow_info: {
        title: flow.title || flow.name,
        slug: flow.slug,
        designation: flow.designation,
        cancel_url: `/api/v3/flows/executor/${flow.slug}/`,
        layout: 'stacked',
        background: '',
        background_themed_urls: null,
      },
    };
  }

  // `__Host-idp_flow` when the cookie is Secure; only the name in force is read.
  private flowCookieName(request: HttpRequestLike): string {
    return cookieNameInForce(this.options.flowCookieName, cookieSecure(this.options.cookieSecure, request));
  }

  private setFlowCookie(request: HttpRequestLike, response: HttpResponseLike, value: string, clear = false): void {
    const adapter = this.adapterHost.httpAdapter;
    appendSetCookie(
      (res, name, v) => adapter.setHeader(res, name, v as string),
      response,
      this.flowCookieName(request),
      value,
      {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: cookieSecure(this.options.cookieSecure, request),
        ...(clear ? { maxAge: 0, expires: new Date(0) } : {}),
      },
    );
  }
}
