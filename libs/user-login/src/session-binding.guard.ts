import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ActiveSession } from './persistence/session.repository.js';
import { SessionAuthService } from './session-auth.service.js';

/** The request property the guard fills with the authenticated session and user. */
export const AUTHENTICATED_SESSION = 'idpSession';

export type RequestWithSession = HttpRequestLike & { [AUTHENTICATED_SESSION]?: ActiveSession };

const PUBLIC_ROUTE = 'idp:public-route';

/**
 * Marks a route (or a controller) as open to everyone when `SessionBindingGuard` is the app's
 * global guard (`{ provide: APP_GUARD, useExisting: SessionBindingGuard }`), e.g. the login route.
 */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * Authenticates a request by its session cookie and enforces the session's network/GeoIP
 * binding; usable per route (`@UseGuards`) or as a global guard, which skips `@Public()` routes.
 * Used both ways on one route, it checks the session once.
 */
@Injectable()
export class SessionBindingGuard implements CanActivate {
  // A route's metadata is fixed once the app runs: read it once per handler and class, not on
  // every request (a handler inherited by two controllers may be public in one of them only).
  private readonly publicRoutes = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(
    private readonly auth: SessionAuthService,
    private readonly reflector: Reflector,
  ) {}

  // A boolean, not a promise, when the session check had nothing to wait for: Nest then goes on
  // without awaiting the guard.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithSession>();
    if (request[AUTHENTICATED_SESSION]) return true;
    const found = this.auth.authenticateNow(request, http.getResponse<HttpResponseLike>());
    if (found instanceof Promise) {
      return found.then((session) => {
        request[AUTHENTICATED_SESSION] = session;
        return true;
      });
    }
    request[AUTHENTICATED_SESSION] = found;
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byController = this.publicRoutes.get(handler);
    if (!byController) {
      byController = new WeakMap();
      this.publicRoutes.set(handler, byController);
    }
    let open = byController.get(controller);
    if (open === undefined) {
      open = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler, controller]) === true;
      byController.set(controller, open);
    }
    return open;
  }
}
