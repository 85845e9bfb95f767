import type { JsonWebKey } from 'node:crypto';
import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Session } from './session.entity.js';
import type { DbscAlgorithm } from '../domain/dbsc-proof.js';

/**
 * The device-bound side of a session (DBSC). A row appears when a login offers registration
 * (it holds the challenge); the session is bound once `publicKey` is set.
 */
@Entity({ name: 'session_device_bindings' })
export class SessionDeviceBinding {
  @PrimaryColumn({ name: 'session_uuid', type: 'uuid' })
  sessionUuid: string;

  @OneToOne(() => Session, (session) => session.deviceBinding, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_uuid' })
  // Relation<> keeps the decorator metadata from naming Session at load time: the two entities
  // import each other, and the built ESM would otherwise read Session before it exists.
  session?: Relation<Session>;

  @Column({ type: 'text', nullable: true })
  algorithm: DbscAlgorithm | null;

  @Column({ name: 'public_key', type: 'jsonb', nullable: true })
  publicKey: JsonWebKey | null;

  @Column({ name: 'bound_at', type: 'timestamptz', nullable: true })
  boundAt: Date | null;

  /** Whether a request has shown the bound cookie yet; until then a just-bound session has a short grace. */
  @Column({ name: 'proof_seen', type: 'boolean', default: false })
  proofSeen: boolean;

  /** SHA-256 of the short-lived bound cookie; the cookie itself is never stored. */
  @Column({ name: 'bound_cookie_hash', type: 'text', nullable: true, select: false })
  boundCookieHash: string | null;

  @Column({ name: 'bound_cookie_expires', type: 'timestamptz', nullable: true })
  boundCookieExpires: Date | null;

  /** The cookie a refresh replaced, honoured briefly for requests that were already on their way. */
  @Column({ name: 'previous_cookie_hash', type: 'text', nullable: true, select: false })
  previousCookieHash: string | null;

  @Column({ name: 'previous_cookie_expires', type: 'timestamptz', nullable: true })
  previousCookieExpires: Date | null;

  /** The one outstanding challenge: single-use, valid until `challengeExpires`. */
  @Column({ type: 'text', nullable: true })
  challenge: string | null;

  @Column({ name: 'challenge_expires', type: 'timestamptz', nullable: true })
  challengeExpires: Date | null;

  /** When a `session_device_proof_missing` event was last written (at most one a minute). */
  @Column({ name: 'proof_missing_reported', type: 'timestamptz', nullable: true })
  proofMissingReported: Date | null;
}
