/** The range of a PostgreSQL `integer` (int4), the type of every pk and counter here. */
export const SQL_INT_MAX = 2_147_483_647;

/** Whether `value` fits a PostgreSQL `integer`; repositories answer "no such row" for anything else. */
export function isSqlInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -SQL_INT_MAX - 1 && value <= SQL_INT_MAX;
}

/** The largest page a list query may ask for. */
export const MAX_PAGE_LIMIT = 1000;

/**
 * Checks a list window before a query builder writes it into `LIMIT` / `OFFSET` (TypeORM puts
 * those into the SQL text, not into parameters): only whole numbers in range get that far, so
 * the text is digits and nothing else, and PostgreSQL never sees `1e+21` or `Infinity`.
 * @throws RangeError for anything else (the API validates pages first; this is the backstop)
 */
export function pageWindow(window: { offset: number; limit: number }): { offset: number; limit: number } {
  const { offset, limit } = window;
  // OFFSET is a bigint in PostgreSQL: any safe integer fits, and prints as plain digits.
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError('offset must be a whole number from 0 to 2^53-1');
  }
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return { offset, limit };
}
