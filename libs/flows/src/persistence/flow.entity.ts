import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';

export const FLOW_DESIGNATIONS = ['authentication', 'enrollment', 'invalidation'] as const;
export type FlowDesignation = (typeof FLOW_DESIGNATIONS)[number];

/** A named sequence of stages that a browser walks through, e.g. the login flow. */
@Entity({ name: 'flows' })
export class Flow {
  @PrimaryColumn({ name: 'flow_uuid', type: 'uuid' })
  @Generated('uuid')
  flowUuid: string;

  @Column({ type: 'text', unique: true })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  title: string;

  @Column({ type: 'text' })
  designation: FlowDesignation;
}
