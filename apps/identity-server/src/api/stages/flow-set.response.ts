import { FLOW_DESIGNATIONS, type Flow } from '@idp/flows';
import { ApiProperty } from '@nestjs/swagger';

/**
 * A flow a stage is bound in, as authentik's `FlowSet` shows it. This server has no policy
 * bindings, backgrounds or flow export: the policy binding id is the flow's own pk (the object
 * a policy would bind to), and the two URLs are empty.
 */
export class FlowSetResponse {
  @ApiProperty({ format: 'uuid', readOnly: true }) pk: string;
  @ApiProperty({ format: 'uuid', readOnly: true, description: "The flow's pk (no separate policy binding model)." })
  policybindingmodel_ptr_id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: FLOW_DESIGNATIONS }) designation: string;
  @ApiProperty({ readOnly: true, description: 'Always empty: flows have no background image here.' })
  background_url: string;
  @ApiProperty({ readOnly: true, description: 'Always empty: flows cannot be exported here.' })
  export_url: string;
}

export function presentFlowSet(flow: Flow): FlowSetResponse {
  return {
    pk: flow.flowUuid,
    policybindingmodel_ptr_id: flow.flowUuid,
    name: flow.name,
    slug: flow.slug,
    title: flow.title,
    designation: flow.designation,
    background_url: '',
    export_url: '',
  };
}
