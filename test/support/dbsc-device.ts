import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * A browser's side of DBSC for tests: a key pair of its own and the proofs Chrome would send
 * (`Secure-Session-Response`), with the public key in the header at registration only.
 */
export class DbscDevice {
  private readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;

  constructor(readonly algorithm: 'ES256' | 'RS256' = 'ES256') {
    const pair =
      algorithm === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  }

  /** The registration proof: the challenge, signed, with the public key in the JWT header. */
  registration(challenge: string): string {
    return this.proof(challenge, { jwk: this.publicJwk });
  }

  /** A refresh proof: the challenge, signed, no key in the header (as Chrome sends it). */
  refresh(challenge: string): string {
    return this.proof(challenge, {});
  }

  proof(
    challenge: unknown,
    extraHeader: Record<string, unknown>,
    overrides: { typ?: string; alg?: string } = {},
  ): string {
    const header = { alg: overrides.alg ?? this.algorithm, typ: overrides.typ ?? 'dbsc+jwt', ...extraHeader };
    const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify({ jti: challenge }))}`;
    const signature =
      this.algorithm === 'ES256'
        ? sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', Buffer.from(signingInput), this.privateKey);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
