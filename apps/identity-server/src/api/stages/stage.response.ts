import type { Stage } from '@idp/core';
import type { Flow } from '@idp/flows';
import { ApiProperty } from '@nestjs/swagger';
import { FlowSetResponse, presentFlowSet } from './flow-set.response.js';
import { STAGE_KINDS } from './stage-kinds.js';

/** authentik's read-only fields of every stage answer. */
export interface StageMeta {
  component: string;
  verbose_name: string;
  verbose_name_plural: string;
  meta_model_name: string;
  flow_set: FlowSetResponse[];
}

/** The read-only fields authentik's clients require of a stage of `type`, with the flows it is bound in. */
export function stageMeta(type: string, flows: Flow[]): StageMeta {
  const kind = STAGE_KINDS.get(type);
  // Every row's type has a kind (the API creates no others); a stray one still parses in clients.
  const verboseName = kind?.verboseName ?? `${type} stage`;
  return {
    component: kind?.component ?? `ak-stage-${type.replaceAll('_', '-')}-form`,
    verbose_name: verboseName,
    verbose_name_plural: `${verboseName}s`,
    meta_model_name: kind?.metaModelName ?? `authentik_stages_${type}.${type.replaceAll('_', '')}stage`,
    flow_set: flows.map(presentFlowSet),
  };
}

/** A stage of any type, as `/api/v3/stages/all/` and a binding's `stage_obj` show it (authentik's `Stage`). */
export class StageResponse {
  @ApiProperty({ format: 'uuid', readOnly: true }) pk: string;
  @ApiProperty() name: string;
  @ApiProperty({ readOnly: true, example: 'ak-stage-user-login-form', description: 'The form that edits this type.' })
  component: string;
  @ApiProperty({ readOnly: true, example: 'User Login Stage' }) verbose_name: string;
  @ApiProperty({ readOnly: true, example: 'User Login Stages' }) verbose_name_plural: string;
  @ApiProperty({ readOnly: true, example: 'authentik_stages_user_login.userloginstage' }) meta_model_name: string;
  @ApiProperty({ type: [FlowSetResponse], readOnly: true, description: 'The flows the stage is bound in.' })
  flow_set: FlowSetResponse[];
  @ApiProperty({ example: 'user_login', description: 'The route segment of its type (not in authentik).' })
  type: string;
}

export function presentStage(stage: Stage, flows: Flow[]): StageResponse {
  return { pk: stage.stageUuid, name: stage.name, ...stageMeta(stage.type, flows), type: stage.type };
}
