import { QueryFailedError } from 'typeorm';

/**
 * A write refused by a unique or foreign-key constraint, e.g. two requests racing for one slug.
 * Callers check first and say so nicely; this is what reaches them when a race beats the check.
 */
export class ConstraintViolation extends Error {
  constructor(
    readonly kind: 'unique' | 'foreign_key',
    /** PostgreSQL's name for the constraint, e.g. `flows_slug_key`. */
    readonly constraint: string,
  ) {
    super(`${kind} constraint ${constraint} refused the write`);
    this.name = 'ConstraintViolation';
  }
}

// PostgreSQL error codes: unique_violation and foreign_key_violation.
const KINDS: Record<string, ConstraintViolation['kind']> = { '23505': 'unique', '23503': 'foreign_key' };

/** The violation a failed query reports, or null for any other error. */
export function constraintViolationOf(error: unknown): ConstraintViolation | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driver = error.driverError as { code?: string; constraint?: string } | undefined;
  const kind = KINDS[driver?.code ?? ''];
  return kind ? new ConstraintViolation(kind, driver?.constraint ?? '') : null;
}

/** Runs a write and turns a constraint failure into a {@link ConstraintViolation}. */
export async function translatingViolations<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw constraintViolationOf(error) ?? error;
  }
}

/** An ILIKE pattern that matches `text` anywhere, with the user's `%`, `_` and `\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
