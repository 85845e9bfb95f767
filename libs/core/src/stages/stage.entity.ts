import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';

/** The row every stage has, whatever its type; each type keeps its settings in its own table. */
@Entity({ name: 'stages' })
export class Stage {
  @PrimaryColumn({ name: 'stage_uuid', type: 'uuid' })
  @Generated('uuid')
  stageUuid: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** e.g. `identification`, `password`, `prompt`, `user_write`, `user_login`, `user_logout`. */
  @Column({ type: 'text' })
  type: string;
}
