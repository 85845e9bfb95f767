import { hash, randomBytes } from 'node:crypto';

/**
 * SHA-256 of a high-entropy token, hex encoded. Tokens are random 256-bit values, so a fast
 * hash is enough: nothing is gained from a slow one, and it runs on every request.
 */
export function hashToken(token: string): string {
  // The one-shot form: no Hash object per request.
  return hash('sha256', token, 'hex');
}

/** A new random token (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
