import { ApiTokenService, type HttpRequestLike, type HttpResponseLike, type User } from '@idp/core';
import { SessionAuthService, type ActiveSession } from '@idp/user-login';
import {
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** Who is calling the API: a user, and their session when they came with a cookie. */
export interface ApiCaller {
  user: User;
  session: ActiveSession['session'] | null;
}

export const API_CALLER = 'idpCaller';
const ADMIN_ONLY = 'idp:admin-only';

/** Marks a route (or controller) as superusers only. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/**
 * Authenticates API calls by `Authorization: Bearer <token>` or by the session cookie (with its
 * binding enforced); `@AdminOnly()` routes also need a superuser.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ApiTokenService,
    private readonly sessions: SessionAuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike & { [API_CALLER]?: ApiCaller }>();
    const caller = await this.identify(request, http.getResponse<HttpResponseLike>());
    request[API_CALLER] = caller;
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (adminOnly && !caller.user.isSuperuser) {
      throw new ForbiddenException({
        detail: 'You do not have permission to perform this action.',
        code: 'permission_denied',
      });
    }
    return true;
  }

  private async identify(request: HttpRequestLike, response: HttpResponseLike): Promise<ApiCaller> {
    const header = request.headers.authorization;
    if (typeof header === 'string' && header.length > 0) {
      const match = /^Bearer\s+(\S{1,512})$/i.exec(header.trim());
      const user = match ? await this.tokens.userFor(match[1]) : null;
      if (!user) throw new UnauthorizedException({ detail: 'Invalid or expired token.', code: 'invalid_token' });
      return { user, session: null };
    }
    const found = await this.sessions.authenticate(request, response);
    return { user: found.user, session: found.session };
  }
}
