import { Stage } from '@idp/core';
import { Column, Entity, Generated, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Flow } from './flow.entity.js';

/** Places a stage in a flow at a position (`order`, ascending). */
@Entity({ name: 'flow_stage_bindings' })
export class FlowStageBinding {
  @PrimaryColumn({ name: 'binding_uuid', type: 'uuid' })
  @Generated('uuid')
  bindingUuid: string;

  @ManyToOne(() => Flow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'flow_uuid' })
  flow: Flow;

  @Column({ name: 'flow_uuid', type: 'uuid' })
  flowUuid: string;

  @ManyToOne(() => Stage, { onDelete: 'CASCADE', eager: true })
  @JoinColumn({ name: 'stage_uuid' })
  stage: Stage;

  @Column({ name: 'stage_uuid', type: 'uuid' })
  stageUuid: string;

  @Column({ type: 'integer' })
  order: number;
}
