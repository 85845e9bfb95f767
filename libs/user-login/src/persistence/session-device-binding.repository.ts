import type { JsonWebKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { DbscAlgorithm } from '../domain/dbsc-proof.js';
import { SessionDeviceBinding } from './session-device-binding.entity.js';

/** A live session's device binding, as the refresh endpoint needs it. */
export interface BoundSessionState {
  sessionUuid: string;
  userPk: number;
  username: string;
  email: string;
  userActive: boolean;
  algorithm: DbscAlgorithm | null;
  publicKey: JsonWebKey | null;
}

/** What binding a key writes: the key and the first bound cookie. */
export interface KeyBinding {
  algorithm: DbscAlgorithm;
  publicKey: JsonWebKey;
  boundCookieHash: string;
  boundCookieExpires: Date;
}

/**
 * The only place that queries `session_device_bindings`. Every challenge is consumed by the
 * same UPDATE that checks it, so a challenge answers at most one proof even under races.
 */
@Injectable()
export class SessionDeviceBindingRepository {
  constructor(@InjectRepository(SessionDeviceBinding) private readonly bindings: Repository<SessionDeviceBinding>) {}

  /** Stores the registration challenge of a new session. */
  async offerRegistration(sessionUuid: string, challenge: string, expires: Date): Promise<void> {
    await this.bindings.query(
      `INSERT INTO session_device_bindings (session_uuid, challenge, challenge_expires) VALUES ($1, $2, $3)
       ON CONFLICT (session_uuid) DO UPDATE SET challenge = $2, challenge_expires = $3
       WHERE session_device_bindings.public_key IS NULL`,
      [sessionUuid, challenge, expires],
    );
  }

  /** Binds the key when `challenge` is the session's unexpired registration challenge; false otherwise. */
  async bindKey(sessionUuid: string, challenge: string, now: Date, binding: KeyBinding): Promise<boolean> {
    return this.updated(
      `UPDATE session_device_bindings
          SET algorithm = $4, public_key = $5, bound_at = $3, bound_cookie_hash = $6, bound_cookie_expires = $7,
              challenge = NULL, challenge_expires = NULL
        WHERE session_uuid = $1 AND challenge = $2 AND challenge_expires > $3 AND public_key IS NULL
        RETURNING session_uuid`,
      [
        sessionUuid,
        challenge,
        now,
        binding.algorithm,
        JSON.stringify(binding.publicKey),
        binding.boundCookieHash,
        binding.boundCookieExpires,
      ],
    );
  }

  /** The session (unexpired) and its binding, or null when the session has ended. */
  async findLive(sessionUuid: string, now: Date): Promise<BoundSessionState | null> {
    const rows: Array<Record<string, any>> = await this.bindings.query(
      `SELECT s.uuid, s.user_pk, u.username, u.email, u.is_active, b.algorithm, b.public_key
         FROM sessions s JOIN users u ON u.pk = s.user_pk
         LEFT JOIN session_device_bindings b ON b.session_uuid = s.uuid
        WHERE s.uuid = $1 AND s.expires > $2`,
      [sessionUuid, now],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      sessionUuid: row.uuid,
      userPk: row.user_pk,
      username: row.username,
      email: row.email,
      userActive: row.is_active,
      algorithm: row.algorithm,
      publicKey: row.public_key,
    };
  }

  /**
   * The session's outstanding challenge: the unexpired one when there is one (so a stranger
   * asking for challenges cannot rotate away the one the browser is answering), else `fresh`.
   */
  async currentChallenge(sessionUuid: string, fresh: string, expires: Date, now: Date): Promise<string> {
    const result = await this.bindings.query(
      `UPDATE session_device_bindings
          SET challenge = CASE WHEN challenge IS NOT NULL AND challenge_expires > $4 THEN challenge ELSE $2 END,
              challenge_expires = CASE WHEN challenge IS NOT NULL AND challenge_expires > $4 THEN challenge_expires ELSE $3 END
        WHERE session_uuid = $1
        RETURNING challenge`,
      [sessionUuid, fresh, expires, now],
    );
    return rowsOf<{ challenge: string }>(result)[0]?.challenge ?? fresh;
  }

  /**
   * Consumes the challenge and installs the next bound cookie, keeping the one it replaces valid
   * until `previousUntil` at the latest; false when the challenge is not the current one.
   */
  rotateCookie(
    sessionUuid: string,
    challenge: string,
    now: Date,
    cookieHash: string,
    cookieExpires: Date,
    previousUntil: Date,
  ): Promise<boolean> {
    return this.updated(
      `UPDATE session_device_bindings
          SET previous_cookie_hash = bound_cookie_hash,
              previous_cookie_expires = LEAST(bound_cookie_expires, $6::timestamptz),
              bound_cookie_hash = $4, bound_cookie_expires = $5, challenge = NULL, challenge_expires = NULL
        WHERE session_uuid = $1 AND challenge = $2 AND challenge_expires > $3 AND public_key IS NOT NULL
        RETURNING session_uuid`,
      [sessionUuid, challenge, now, cookieHash, cookieExpires, previousUntil],
    );
  }

  /** Records that the bound cookie has been shown, which ends the just-bound grace. */
  async markProofSeen(sessionUuid: string): Promise<void> {
    await this.bindings.query(
      'UPDATE session_device_bindings SET proof_seen = true WHERE session_uuid = $1 AND NOT proof_seen',
      [sessionUuid],
    );
  }

  /** True at most once a minute per session: whether to write a `session_device_proof_missing` event now. */
  reportProofMissing(sessionUuid: string, now: Date): Promise<boolean> {
    return this.updated(
      `UPDATE session_device_bindings SET proof_missing_reported = $2
        WHERE session_uuid = $1 AND (proof_missing_reported IS NULL OR proof_missing_reported <= $2::timestamptz - interval '1 minute')
        RETURNING session_uuid`,
      [sessionUuid, now],
    );
  }

  private async updated(sql: string, params: unknown[]): Promise<boolean> {
    return rowsOf(await this.bindings.query(sql, params)).length > 0;
  }
}

// pg answers UPDATE ... RETURNING through TypeORM as [rows, count].
function rowsOf<T = unknown>(result: unknown): T[] {
  const value = result as unknown[];
  return (Array.isArray(value[0]) ? value[0] : value) as T[];
}
