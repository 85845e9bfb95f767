import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Server-side state of one browser's walk through a flow, found by the hash of the `idp_flow`
 * cookie. It is never a login session: finishing a flow creates a new session with a new token.
 */
@Entity({ name: 'flow_executions' })
export class FlowExecution {
  @PrimaryColumn({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ name: 'flow_uuid', type: 'uuid' })
  flowUuid: string;

  /** Index into the flow's bindings (ordered) of the stage being shown. */
  @Column({ type: 'integer', default: 0 })
  position: number;

  @Column({ name: 'pending_user_pk', type: 'integer', nullable: true })
  pendingUserPk: number | null;

  /** What stages tell later stages (e.g. `next`, `uid`, prompt answers, `auth_method`). */
  @Column({ type: 'jsonb', default: {} })
  context: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  expires: Date;
}
