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
