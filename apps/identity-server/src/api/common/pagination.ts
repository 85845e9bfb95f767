import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { INT_MAX, rule } from './dto-rules.js';

/** At most this many rows a page; a larger `page_size` is clamped to it (as Django REST framework does). */
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

/** A query string of digits as a number; anything else stays as sent, for the rule to refuse. */
const digits = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d{1,30}$/.test(value) ? Number(value) : value));

/** `?page=` and `?page_size=`, shared by every list route. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: INT_MAX, default: 1 })
  @digits()
  @rule('page', (value) =>
    Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= INT_MAX
      ? null
      : 'A valid integer >= 1 is required.',
  )
  page?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    default: DEFAULT_PAGE_SIZE,
    description: `Rows a page; more than ${MAX_PAGE_SIZE} is clamped to ${MAX_PAGE_SIZE}.`,
  })
  @digits()
  @rule('page_size', (value) =>
    Number.isInteger(value) && (value as number) >= 1 ? null : 'A valid integer between 1 and 100 is required.',
  )
  page_size?: number;
}

export interface Page {
  page: number;
  pageSize: number;
  offset: number;
}

/** The page a validated query asks for (1-based, at most {@link MAX_PAGE_SIZE} rows). */
export function pageOf(query: PageQuery): Page {
  const page = query.page ?? 1;
  const pageSize = Math.min(query.page_size ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** authentik's list shape: `{pagination: {...}, results: [...], autocomplete: {}}` (no autocomplete hints here). */
export function paginated<T>(page: Page, count: number, results: T[]) {
  const totalPages = Math.max(1, Math.ceil(count / page.pageSize));
  return {
    pagination: {
      count,
      current: page.page,
      next: page.page < totalPages ? page.page + 1 : 0,
      previous: page.page > 1 ? page.page - 1 : 0,
      total_pages: totalPages,
      start_index: count === 0 ? 0 : page.offset + 1,
      end_index: Math.min(count, page.offset + results.length),
    },
    results,
    autocomplete: {},
  };
}
