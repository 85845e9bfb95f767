import { BadRequestException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { findUnsafeText } from './unsafe-text.js';

const MESSAGE = 'NUL characters and unpaired UTF-16 surrogates are not allowed.';

/**
 * Refuses, with 400, any request whose path parameters, query or JSON body hold a NUL or an
 * unpaired surrogate, before a handler (or another guard) can hand the text to PostgreSQL, which
 * would fail on it. Global, so no route can forget it.
 */
@Injectable()
export class HostileInputGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ params?: unknown; query?: unknown; body?: unknown }>();
    const inPath = findUnsafeText(request.params);
    if (inPath !== null) throw new BadRequestException({ detail: `The path: ${MESSAGE}`, code: 'invalid_characters' });
    for (const part of [request.query, request.body]) {
      const where = findUnsafeText(part);
      if (where !== null) throw new BadRequestException({ [fieldOf(where)]: [MESSAGE] });
    }
    return true;
  }
}

/** The top-level field a path like `a.b[2]` belongs to (`non_field_errors` for the whole body). */
function fieldOf(path: string): string {
  const field = /^[^.[]*/.exec(path)![0];
  // The field name itself may be the bad text; never echo it back.
  return field === '' || findUnsafeText(field) !== null ? 'non_field_errors' : field;
}
