import type { HttpRequestLike, HttpResponseLike, Stage, User } from '@idp/core';
import type { FlowExecution } from '../persistence/flow-execution.entity.js';
import type { Flow } from '../persistence/flow.entity.js';

/** What a stage sees of the running flow. */
export interface StageContext {
  request: HttpRequestLike;
  response: HttpResponseLike;
  flow: Flow;
  stage: Stage;
  /** Mutable: stages set the pending user and add to `context`; the executor saves it. */
  execution: FlowExecution;
  /** The user the flow has identified so far, loaded fresh. */
  pendingUser(): Promise<User | null>;
}

/** A stage's answer: show this challenge, go on to the next stage, or stop the flow. */
export type StageOutcome =
  { kind: 'challenge'; challenge: Record<string, unknown> } | { kind: 'next' } | { kind: 'deny'; message: string };

/** The behaviour of one stage type, registered with {@link StageHandlerRegistry}. */
export interface StageHandler {
  /** The `stages.type` this handler runs, e.g. `password`. */
  readonly type: string;
  /** Called when the stage is reached (GET); may finish at once by returning `next`. */
  challenge(context: StageContext): Promise<StageOutcome>;
  /** Called with the browser's answer (POST). */
  submit(context: StageContext, body: Record<string, unknown>): Promise<StageOutcome>;
}

/** A challenge again, with errors next to the fields (authentik's `response_errors`). */
export function withErrors(
  challenge: Record<string, unknown>,
  errors: Record<string, Array<{ string: string; code: string }>>,
): StageOutcome {
  return { kind: 'challenge', challenge: { ...challenge, response_errors: errors } };
}
