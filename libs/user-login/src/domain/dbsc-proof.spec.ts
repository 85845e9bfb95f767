import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DbscDevice } from '../../../../test/support/dbsc-device.js';
import {
  challengeHeader,
  DbscProofError,
  registrationHeader,
  sessionInstructions,
  verifyDbscProof,
} from './dbsc-proof.js';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DbscProofError) return error.failure;
    throw error;
  }
  return 'accepted';
}

describe('verifyDbscProof at registration (key from the JWT header)', () => {
  for (const algorithm of ['ES256', 'RS256'] as const) {
    it(`accepts a ${algorithm} proof and returns the challenge and the public key only`, () => {
      const device = new DbscDevice(algorithm);
      const proof = verifyDbscProof(device.registration('challenge-1'));
      expect(proof.algorithm).toBe(algorithm);
      expect(proof.challenge).toBe('challenge-1');
      expect(proof.publicKey).not.toHaveProperty('d');
      expect(proof.publicKey.kty).toBe(algorithm === 'ES256' ? 'EC' : 'RSA');
    });
  }

  it('drops private members a client sends by mistake', () => {
    const device = new DbscDevice('ES256');
    const proof = verifyDbscProof(device.proof('c', { jwk: { ...device.publicJwk, d: 'secret' } }));
    expect(Object.keys(proof.publicKey).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });

  it.each([
    ['not a JWT', 'abc', 'malformed'],
    ['four parts', 'a.b.c.d', 'malformed'],
    ['non-base64url characters', 'a+.b.c', 'malformed'],
    ['an over-long proof', 'a'.repeat(9000), 'malformed'],
    ['header not JSON', `${Buffer.from('nope').toString('base64url')}.e30.AA`, 'malformed'],
  ])('refuses %s', (_name, jwt, expected) => {
    expect(failure(() => verifyDbscProof(jwt))).toBe(expected);
  });

  it('refuses a wrong typ, an unknown alg, a missing jti, a missing jwk', () => {
    const device = new DbscDevice('ES256');
    expect(failure(() => verifyDbscProof(device.proof('c', { jwk: device.publicJwk }, { typ: 'JWT' })))).toBe(
      'malformed',
    );
    expect(failure(() => verifyDbscProof(device.proof('c', { jwk: device.publicJwk }, { alg: 'none' })))).toBe(
      'unsupported_algorithm',
    );
    expect(failure(() => verifyDbscProof(device.proof(42, { jwk: device.publicJwk })))).toBe('malformed');
    expect(failure(() => verifyDbscProof(device.refresh('c')))).toBe('missing_key');
  });

  it('refuses a key of the wrong kind for the algorithm', () => {
    const rsa = new DbscDevice('RS256');
    const ec = new DbscDevice('ES256');
    expect(failure(() => verifyDbscProof(ec.proof('c', { jwk: rsa.publicJwk })))).toBe('bad_key');
    expect(failure(() => verifyDbscProof(ec.proof('c', { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } })))).toBe(
      'bad_key',
    );
  });

  it('refuses a proof signed by another key than the one in its header', () => {
    const signer = new DbscDevice('ES256');
    const other = new DbscDevice('ES256');
    expect(failure(() => verifyDbscProof(signer.proof('c', { jwk: other.publicJwk })))).toBe('bad_signature');
  });

  it('refuses a tampered payload', () => {
    const device = new DbscDevice('ES256');
    const [header, , signature] = device.registration('c1').split('.');
    const forged = `${header}.${Buffer.from('{"jti":"c2"}').toString('base64url')}.${signature}`;
    expect(failure(() => verifyDbscProof(forged))).toBe('bad_signature');
  });
});

describe('verifyDbscProof at refresh (key registered with the session)', () => {
  it('accepts a proof by the bound key without a key in the header', () => {
    const device = new DbscDevice('ES256');
    const bound = verifyDbscProof(device.registration('c1'));
    expect(verifyDbscProof(device.refresh('c2'), bound).challenge).toBe('c2');
  });

  it('ignores a header key: another device cannot swap in its own key', () => {
    const device = new DbscDevice('ES256');
    const thief = new DbscDevice('ES256');
    const bound = verifyDbscProof(device.registration('c1'));
    expect(failure(() => verifyDbscProof(thief.registration('c2'), bound))).toBe('bad_signature');
  });

  it('refuses another algorithm than the bound one', () => {
    const bound = verifyDbscProof(new DbscDevice('ES256').registration('c1'));
    expect(failure(() => verifyDbscProof(new DbscDevice('RS256').refresh('c2'), bound))).toBe('bad_signature');
  });
});

describe('DBSC headers and instructions', () => {
  it('writes the registration and challenge headers as structured fields', () => {
    expect(registrationHeader('/api/v3/sessions/dbsc/register/', 'abc_-1')).toBe(
      '(ES256 RS256);path="/api/v3/sessions/dbsc/register/";challenge="abc_-1"',
    );
    expect(challengeHeader('abc', '0b7e9a8e-0000-4000-8000-000000000000')).toBe(
      '"abc";id="0b7e9a8e-0000-4000-8000-000000000000"',
    );
    expect(() => challengeHeader('a"b', 'x')).toThrow(TypeError);
  });

  it('describes the session with one cookie credential', () => {
    expect(
      sessionInstructions({
        sessionId: 's',
        refreshUrl: '/r/',
        origin: 'https://idp.example',
        cookieName: '__Host-idp_bound',
        cookieAttributes: 'Path=/; Secure; HttpOnly; SameSite=Lax',
      }),
    ).toEqual({
      session_identifier: 's',
      refresh_url: '/r/',
      scope: { origin: 'https://idp.example', include_site: false, scope_specification: [] },
      credentials: [{ type: 'cookie', name: '__Host-idp_bound', attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax' }],
    });
  });
});

// The message reaches the client: a refused registration answers 400 "Invalid device proof: <message>".
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DbscProofError) return `${error.name} ${error.failure}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const HEADER = part({ alg: 'ES256', typ: 'dbsc+jwt' });
const PAYLOAD = part({ jti: 'c' });

/** A signed proof with any header and payload, by a key of any kind. */
function signedBy(privateKey: KeyObject, header: Record<string, unknown>, payload: unknown, ec = true): string {
  const input = `${part(header)}.${part(payload)}`;
  const signature = ec
    ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

describe('verifyDbscProof says why it refused', () => {
  it.each([
    ['no string at all', undefined, 'malformed: the proof is missing or too long'],
    ['over 8192 characters', `${HEADER}.${PAYLOAD}.${'A'.repeat(8192)}`, 'malformed: the proof is missing or too long'],
    ['two parts', `${HEADER}.${PAYLOAD}`, 'malformed: the proof is not a compact JWT'],
    ['four parts', `${HEADER}.${PAYLOAD}.AA.AA`, 'malformed: the proof is not a compact JWT'],
    ['padding in one part', `${HEADER}.${PAYLOAD}=.AA`, 'malformed: the proof is not a compact JWT'],
    ['a character before a part', `+${HEADER}.${PAYLOAD}.AA`, 'malformed: the proof is not a compact JWT'],
    ['a character after the last part', `${HEADER}.${PAYLOAD}.AA+`, 'malformed: the proof is not a compact JWT'],
    [
      'a header that is not JSON',
      `${Buffer.from('nope').toString('base64url')}.${PAYLOAD}.AA`,
      'malformed: the JWT header is not a JSON object',
    ],
    ['a header that is null', `${part(null)}.${PAYLOAD}.AA`, 'malformed: the JWT header is not a JSON object'],
    ['a header that is a number', `${part(5)}.${PAYLOAD}.AA`, 'malformed: the JWT header is not a JSON object'],
    ['a header that is a list', `${part([])}.${PAYLOAD}.AA`, 'malformed: the JWT header is not a JSON object'],
    ['a payload that is a string', `${HEADER}.${part('c')}.AA`, 'malformed: the JWT payload is not a JSON object'],
    ['another typ', `${part({ alg: 'ES256', typ: 'JWT' })}.${PAYLOAD}.AA`, 'malformed: the JWT type is not dbsc+jwt'],
    [
      'alg none',
      `${part({ alg: 'none', typ: 'dbsc+jwt' })}.${PAYLOAD}.AA`,
      'unsupported_algorithm: alg must be one of ES256, RS256',
    ],
    ['no jti', `${HEADER}.${part({})}.AA`, 'malformed: the payload has no jti (the challenge)'],
    ['an empty jti', `${HEADER}.${part({ jti: '' })}.AA`, 'malformed: the payload has no jti (the challenge)'],
    ['no jwk', `${HEADER}.${PAYLOAD}.AA`, 'missing_key: the JWT header has no jwk'],
    [
      'a null jwk',
      `${part({ alg: 'ES256', typ: 'dbsc+jwt', jwk: null })}.${PAYLOAD}.AA`,
      'missing_key: the JWT header has no jwk',
    ],
    [
      'a jwk that is a string',
      `${part({ alg: 'ES256', typ: 'dbsc+jwt', jwk: 'key' })}.${PAYLOAD}.AA`,
      'missing_key: the JWT header has no jwk',
    ],
  ])('%s', (_name, jwt, expected) => {
    expect(refusal(() => verifyDbscProof(jwt as string))).toBe(`DbscProofError ${expected}`);
  });

  it('a proof of exactly 8192 characters gets past the length check (to the signature), one more does not', () => {
    const proof = new DbscDevice('ES256').registration('c');
    const signed = proof.slice(0, proof.lastIndexOf('.') + 1);
    const exact = `${signed}${'A'.repeat(8192 - signed.length)}`;
    expect(exact).toHaveLength(8192);
    expect(refusal(() => verifyDbscProof(exact))).toBe(
      'DbscProofError bad_signature: the signature does not verify with the key',
    );
    expect(refusal(() => verifyDbscProof(`${exact}A`))).toBe(
      'DbscProofError malformed: the proof is missing or too long',
    );
  });

  it.each([
    ['an EC jwk that is not EC', { kty: 'OKP', crv: 'P-256', x: 'AA', y: 'AA' }],
    ['an EC jwk without x', { kty: 'EC', crv: 'P-256', y: 'AA' }],
    ['an EC jwk with a numeric y', { kty: 'EC', crv: 'P-256', x: 'AA', y: 5 }],
  ])('ES256 with %s: bad_key, an EC jwk is needed', (_name, jwk) => {
    const device = new DbscDevice('ES256');
    expect(refusal(() => verifyDbscProof(device.proof('c', { jwk })))).toBe(
      'DbscProofError bad_key: ES256 needs an EC jwk',
    );
  });

  it.each([
    ['an EC key', () => new DbscDevice('ES256').publicJwk],
    ['an RSA jwk without n', () => ({ kty: 'RSA', e: 'AQAB' })],
    ['n and e under another kty', () => ({ ...new DbscDevice('RS256').publicJwk, kty: 'EC' })],
    ['an RSA jwk with a numeric e', () => ({ ...new DbscDevice('RS256').publicJwk, e: 65537 })],
  ])('RS256 with %s: bad_key, an RSA jwk is needed', (_name, jwk) => {
    const device = new DbscDevice('RS256');
    expect(refusal(() => verifyDbscProof(device.proof('c', { jwk: jwk() })))).toBe(
      'DbscProofError bad_key: RS256 needs an RSA jwk',
    );
  });

  it('an EC jwk that is no point: the jwk is not a usable public key', () => {
    const device = new DbscDevice('ES256');
    expect(
      refusal(() => verifyDbscProof(device.proof('c', { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }))),
    ).toBe('DbscProofError bad_key: the jwk is not a usable public key');
  });

  it('ES256 signed by a P-384 key: refused for the curve, not only for the signature', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const jwk = publicKey.export({ format: 'jwk' });
    expect(
      refusal(() => verifyDbscProof(signedBy(privateKey, { alg: 'ES256', typ: 'dbsc+jwt', jwk }, { jti: 'c' }))),
    ).toBe('DbscProofError bad_key: ES256 needs a P-256 key');
  });

  it('RS256 with a 1024-bit key: refused although the signature verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = publicKey.export({ format: 'jwk' });
    const proof = signedBy(privateKey, { alg: 'RS256', typ: 'dbsc+jwt', jwk }, { jti: 'c' }, false);
    expect(refusal(() => verifyDbscProof(proof))).toBe(
      'DbscProofError bad_key: RS256 needs an RSA key of at least 2048 bits',
    );
  });

  it('at refresh, a bound key of the wrong kind for its algorithm is refused as a key', () => {
    const ec = new DbscDevice('ES256');
    const rsa = new DbscDevice('RS256');
    expect(refusal(() => verifyDbscProof(ec.refresh('c'), { algorithm: 'ES256', publicKey: rsa.publicJwk }))).toBe(
      'DbscProofError bad_key: ES256 needs a P-256 key',
    );
    expect(refusal(() => verifyDbscProof(rsa.refresh('c'), { algorithm: 'RS256', publicKey: ec.publicJwk }))).toBe(
      'DbscProofError bad_key: RS256 needs an RSA key of at least 2048 bits',
    );
    expect(refusal(() => verifyDbscProof(rsa.refresh('c'), { algorithm: 'ES256', publicKey: ec.publicJwk }))).toBe(
      'DbscProofError bad_signature: signed with another algorithm than the bound key',
    );
  });

  it('a signature by another key names the key', () => {
    const device = new DbscDevice('ES256');
    const other = new DbscDevice('ES256');
    expect(refusal(() => verifyDbscProof(device.proof('c', { jwk: other.publicJwk })))).toBe(
      'DbscProofError bad_signature: the signature does not verify with the key',
    );
  });

  it('refuses a header value that would need escaping, naming it', () => {
    expect(() => registrationHeader('/path;x', 'c')).toThrow('not a header-safe value: /path;x');
  });
});
