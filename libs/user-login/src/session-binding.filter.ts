import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { HttpRequestLike } from '@idp/core';
import { SessionBindingBrokenException } from './session-binding.exception.js';

/**
 * Sends a browser whose session binding broke back to the login page with `reason=binding_broken`
 * (a fixed code the login page turns into its own words, never text from the URL); APIs get the
 * 401 JSON.
 */
@Catch(SessionBindingBrokenException)
export class SessionBindingBrokenFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: SessionBindingBrokenException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    const response = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    // A browser navigation asks for HTML; fetch/XHR and API clients get the JSON they can parse.
    const accept = request.headers.accept;
    if (typeof accept === 'string' && accept.toLowerCase().includes('text/html')) {
      const separator = exception.loginUrl.includes('?') ? '&' : '?';
      adapter.redirect(response, 302, `${exception.loginUrl}${separator}reason=binding_broken`);
      return;
    }
    adapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
