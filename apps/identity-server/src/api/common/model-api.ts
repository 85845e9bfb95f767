import { toEventUser, type EventService } from '@idp/core';
import { ConstraintViolation, constraintViolationOf } from '@idp/flows';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { ApiCaller } from '../../auth/api-auth.guard.js';
import type { FieldErrors } from './field-errors.js';

/** Throws a 400 when a database check found problems. */
export function rejectProblems(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new BadRequestException(errors);
}

/** The API's 404 body. */
export function notFound(): NotFoundException {
  return new NotFoundException({ detail: 'Not found.' });
}

// What each constraint means to the API caller, for the writes that race past the checks.
const VIOLATIONS: Record<string, FieldErrors> = {
  flows_slug_key: { slug: ['A flow with this slug already exists.'] },
  stages_name_key: { name: ['A stage with this name already exists.'] },
  flow_stage_bindings_flow_uuid_order_key: { order: ['This flow already has a stage bound at this order.'] },
  flow_stage_bindings_flow_uuid_fkey: { target: ['The flow does not exist.'] },
  flow_stage_bindings_stage_uuid_fkey: { stage: ['The stage does not exist.'] },
};

/** Runs a write; a constraint the database refused it by becomes a 400 naming the field. */
export async function rejectingViolations<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Repositories outside @idp/flows hand back TypeORM's raw error: translate it here too.
    const violation = error instanceof ConstraintViolation ? error : constraintViolationOf(error);
    if (!violation) throw error;
    throw new BadRequestException(
      VIOLATIONS[violation.constraint] ?? { non_field_errors: ['The change conflicts with existing data.'] },
    );
  }
}

/** Which object an admin changed, as audit events name it. */
export interface ModelRef {
  app: string;
  model_name: string;
  pk: string;
  name: string;
}

/** Writes `model_created` / `model_updated` / `model_deleted` for an admin API change. */
export async function recordModelEvent(
  events: EventService,
  action: string,
  caller: ApiCaller,
  model: ModelRef,
): Promise<void> {
  await events.record({ action, app: 'idp.api', user: toEventUser(caller.user), context: { model } });
}
