import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { isBrowserPageRequest } from './browser-page-request.js';
import { securityHeaders, WebAssets } from './web-assets.js';

/** The page shown for a status; anything without a page of its own gets the general error page. */
const PAGES: Partial<Record<number, string>> = {
  [HttpStatus.NOT_FOUND]: 'not-found',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'unavailable',
};

/**
 * Browser-facing errors as pages of the UI: a navigation (GET/HEAD accepting HTML) to a non-API
 * path that fails with 403, 404 or any 5xx gets an HTML page with a title, a language and a way
 * back, instead of Nest's JSON. API paths (`/api/`, `/-/`) and fetch calls keep their JSON, and
 * every other case goes on to Nest's own handling unchanged.
 */
@Catch()
export class HtmlErrorPageFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HtmlErrorPage');

  private readonly assets = new WebAssets();

  constructor(private readonly adapters: HttpAdapterHost) {
    super(adapters.httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<HttpRequestLike>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const page = PAGES[status] ?? (status >= 500 ? 'error' : undefined);
    if (host.getType() !== 'http' || !page || !isBrowserPageRequest(request)) {
      super.catch(exception, host);
      return;
    }
    if (!(exception instanceof HttpException)) this.logger.error(exception);
    const response = host.switchToHttp().getResponse<HttpResponseLike>();
    const adapter = this.adapters.httpAdapter;
    const asset = this.assets.page(page);
    for (const [name, value] of Object.entries(securityHeaders('page'))) adapter.setHeader(response, name, value);
    adapter.setHeader(response, 'Content-Type', asset.contentType);
    adapter.reply(response, asset.body, status);
  }
}
