import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Device Bound Session Credentials (W3C DBSC): the browser proves it holds a private key by
 * signing a server challenge in a compact JWT (`Secure-Session-Response`). These are the pure
 * parts: reading and verifying that proof, and writing the protocol's headers.
 */

/** The signature algorithms we offer, in our order of preference. */
export const DBSC_ALGORITHMS = ['ES256', 'RS256'] as const;
export type DbscAlgorithm = (typeof DBSC_ALGORITHMS)[number];

/** A verified proof: which challenge it answers, and the key that signed it. */
export interface DbscProof {
  algorithm: DbscAlgorithm;
  challenge: string;
  /** The public key as a JWK, reduced to its public members. */
  publicKey: JsonWebKey;
}

export type DbscProofFailure = 'malformed' | 'unsupported_algorithm' | 'missing_key' | 'bad_key' | 'bad_signature';

/** Why a proof was refused; `bad_signature` is the one that means "another key". */
export class DbscProofError extends Error {
  constructor(
    readonly failure: DbscProofFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DbscProofError';
  }
}

// Far above what a P-256 or 4096-bit RSA proof needs; it bounds the work a hostile header can cause.
const MAX_PROOF_LENGTH = 8192;
const MIN_RSA_BITS = 2048;

/**
 * Verifies a `Secure-Session-Response` JWT. At registration the key comes from the JWT header's
 * `jwk`; at refresh it must be the key registered with the session (`registered`), and the
 * header's own `jwk`, if any, is ignored: a new key can never replace the bound one.
 * @throws DbscProofError
 */
export function verifyDbscProof(
  jwt: string,
  registered?: { algorithm: DbscAlgorithm; publicKey: JsonWebKey },
): DbscProof {
  if (typeof jwt !== 'string' || jwt.length > MAX_PROOF_LENGTH) throw malformed('the proof is missing or too long');
  const parts = jwt.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw malformed('the proof is not a compact JWT');
  }
  const header = decodeJson(parts[0], 'header');
  const payload = decodeJson(parts[1], 'payload');
  if (header.typ !== 'dbsc+jwt') throw malformed('the JWT type is not dbsc+jwt');
  const algorithm = header.alg;
  if (!isDbscAlgorithm(algorithm))
    throw new DbscProofError('unsupported_algorithm', `alg must be one of ${DBSC_ALGORITHMS.join(', ')}`);
  if (typeof payload.jti !== 'string' || payload.jti === '') throw malformed('the payload has no jti (the challenge)');

  let jwk: JsonWebKey;
  if (registered) {
    if (registered.algorithm !== algorithm)
      throw new DbscProofError('bad_signature', 'signed with another algorithm than the bound key');
    jwk = registered.publicKey;
  } else {
    if (!header.jwk || typeof header.jwk !== 'object')
      throw new DbscProofError('missing_key', 'the JWT header has no jwk');
    jwk = publicJwk(header.jwk as JsonWebKey, algorithm);
  }
  const key = importKey(jwk, algorithm);
  const signature = Buffer.from(parts[2], 'base64url');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  // DBSC (like JWS) carries ES256 signatures as raw r||s, not DER.
  const valid =
    algorithm === 'ES256'
      ? signature.length === 64 && verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', signed, key, signature);
  if (!valid) throw new DbscProofError('bad_signature', 'the signature does not verify with the key');
  return { algorithm, challenge: payload.jti, publicKey: jwk };
}

export function isDbscAlgorithm(value: unknown): value is DbscAlgorithm {
  return (DBSC_ALGORITHMS as readonly unknown[]).includes(value);
}

/** `Secure-Session-Registration`: offers our algorithms, the registration path and a challenge. */
export function registrationHeader(path: string, challenge: string): string {
  return `(${DBSC_ALGORITHMS.join(' ')});path=${quoted(path)};challenge=${quoted(challenge)}`;
}

/** `Secure-Session-Challenge`: a fresh challenge for the session the browser named. */
export function challengeHeader(challenge: string, sessionId: string): string {
  return `${quoted(challenge)};id=${quoted(sessionId)}`;
}

/** The session instructions a registration or refresh answers with. */
export function sessionInstructions(input: {
  sessionId: string;
  refreshUrl: string;
  origin: string;
  cookieName: string;
  cookieAttributes: string;
}) {
  return {
    session_identifier: input.sessionId,
    refresh_url: input.refreshUrl,
    scope: { origin: input.origin, include_site: false, scope_specification: [] as unknown[] },
    credentials: [{ type: 'cookie', name: input.cookieName, attributes: input.cookieAttributes }],
  };
}

function importKey(jwk: JsonWebKey, algorithm: DbscAlgorithm): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new DbscProofError('bad_key', 'the jwk is not a usable public key');
  }
  if (
    algorithm === 'ES256' &&
    (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
  ) {
    throw new DbscProofError('bad_key', 'ES256 needs a P-256 key');
  }
  if (
    algorithm === 'RS256' &&
    (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
  ) {
    throw new DbscProofError('bad_key', `RS256 needs an RSA key of at least ${MIN_RSA_BITS} bits`);
  }
  return key;
}

// Only the public members are kept, so a careless client that sends `d` never has it stored.
function publicJwk(jwk: JsonWebKey, algorithm: DbscAlgorithm): JsonWebKey {
  if (algorithm === 'ES256') {
    const { kty, crv, x, y } = jwk;
    if (kty !== 'EC' || typeof x !== 'string' || typeof y !== 'string')
      throw new DbscProofError('bad_key', 'ES256 needs an EC jwk');
    return { kty, crv, x, y };
  }
  const { kty, n, e } = jwk;
  if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string')
    throw new DbscProofError('bad_key', 'RS256 needs an RSA jwk');
  return { kty, n, e };
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw malformed(`the JWT ${what} is not a JSON object`);
}

function malformed(message: string): DbscProofError {
  return new DbscProofError('malformed', message);
}

// Our challenges and ids are base64url or UUIDs, so quoting never needs escapes; refuse anything else.
function quoted(value: string): string {
  if (!/^[A-Za-z0-9_\-/.:]*$/.test(value)) throw new TypeError(`not a header-safe value: ${value}`);
  return `"${value}"`;
}
