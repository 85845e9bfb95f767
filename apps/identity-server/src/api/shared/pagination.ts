import { BadRequestException } from '@nestjs/common';

export interface Page {
  page: number;
  pageSize: number;
  offset: number;
}

/** Reads `page` and `page_size` (1-based, at most 100 a page). */
export function readPage(query: Record<string, unknown>): Page {
  const page = query.page === undefined ? 1 : Number(query.page);
  const pageSize = query.page_size === undefined ? 20 : Number(query.page_size);
  if (!Number.isInteger(page) || page < 1)
    throw new BadRequestException({ page: ['A valid integer >= 1 is required.'] });
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new BadRequestException({ page_size: ['A valid integer between 1 and 100 is required.'] });
  }
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** authentik's list shape: `{pagination: {...}, results: [...]}`. */
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
  };
}

/** A query parameter as one string, or undefined. */
export function queryText(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}
