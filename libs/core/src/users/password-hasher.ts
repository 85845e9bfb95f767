import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, t=2, p=1): strong enough, and cheap enough for 2 cores.
// 2 = Algorithm.Argon2id (a const enum, which isolated modules cannot read).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// Verifying against this when the user does not exist keeps the response time the same,
// so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

/** Hashes a password with argon2id into a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Checks a password against a stored hash; a missing hash still costs one verification. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('timing-equaliser');
  const target = stored ?? (await dummyHash);
  try {
    const ok = await verify(target, password);
    return stored ? ok : false;
  } catch {
    return false;
  }
}
