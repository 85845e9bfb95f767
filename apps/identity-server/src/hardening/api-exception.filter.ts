import { isDatabaseUnavailable } from '@idp/core';
import {
  Catch,
  HttpException,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { HtmlErrorPageFilter } from '../web/html-error-page.filter.js';

/** Seconds a client is asked to wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The last word on errors no library filter took. Errors that are not HTTP exceptions become one
 * first, then the answer is the web UI's (an HTML page for a browser navigation, JSON otherwise):
 * - the database being unreachable is a 503 `database_unavailable` with `Retry-After`, never a
 *   500 (docs/api.md), and is not logged per request (an outage would flood the log);
 * - anything else is a 500 logged once, with the request id, the route pattern and the error's
 *   class, code and stack frames, but never its message, the URL, the SQL or its parameters
 *   (which may hold passwords, tokens or whatever an attacker sent).
 *
 * Registered in the app module, so filters that libraries register for their own exceptions
 * (e.g. the session binding's redirect) are asked first.
 */
@Catch()
export class ApiExceptionFilter extends HtmlErrorPageFilter {
  private readonly errors = new Logger('Errors');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException || host.getType() !== 'http') {
      super.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    if (isDatabaseUnavailable(exception)) {
      const adapter = this.applicationRef ?? this.httpAdapterHost!.httpAdapter;
      adapter.setHeader(http.getResponse(), 'Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      super.catch(
        new ServiceUnavailableException({ detail: 'Service temporarily unavailable', code: 'database_unavailable' }),
        host,
      );
      return;
    }
    const request = http.getRequest<RequestWithRoute>();
    const requestId = String(request.id ?? randomUUID());
    this.errors.error(
      `500 ${request.method} ${routePattern(request)} reqId=${requestId}: ${describe(exception)}`,
      stackFrames(exception),
    );
    super.catch(
      new InternalServerErrorException({
        detail: 'Internal server error',
        code: 'internal_error',
        request_id: requestId,
      }),
      host,
    );
  }
}

interface RequestWithRoute {
  id?: string | number;
  method: string;
  routeOptions?: { url?: string };
  route?: { path?: string };
}

/** The matched route's pattern (`/api/v3/core/users/:pk`), never the URL with its values. */
function routePattern(request: RequestWithRoute): string {
  return request.routeOptions?.url ?? request.route?.path ?? '(no route)';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}

/** The stack without its first line, which repeats the message. */
function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}
