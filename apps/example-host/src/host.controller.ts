import { UserRepository, verifyPassword, type HttpRequestLike, type HttpResponseLike } from '@idp/core';
import {
  CurrentSession,
  Public,
  SessionBindingGuard,
  SessionLogoutService,
  UserLoginStageService,
  type ActiveSession,
} from '@idp/user-login';
import { Body, Controller, Get, HttpCode, Post, Req, Res, UnauthorizedException, UseGuards } from '@nestjs/common';

interface LoginBody {
  username: string;
  password: string;
  stage: string;
  remember_me?: boolean;
}

// readme:start host.controller.ts
@Controller()
export class HostController {
  constructor(
    private readonly users: UserRepository,
    private readonly login: UserLoginStageService,
    private readonly logout: SessionLogoutService,
  ) {}

  /** Your own sign-in (here: a password), then the User Login stage makes the session. */
  @Public()
  @Post('login')
  @HttpCode(200)
  async signIn(
    @Body() body: LoginBody,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ) {
    const user = await this.users.findByUsername(body.username);
    const ok = await verifyPassword(user ? await this.users.passwordHashOf(user.pk) : null, body.password);
    const stage = await this.login.findStageByName(body.stage);
    if (!user || !ok || !stage) throw new UnauthorizedException({ detail: 'Invalid credentials.' });
    const result = await this.login.login({
      request,
      response,
      stage,
      pendingUser: user,
      rememberMe: body.remember_me,
    });
    return result.outcome === 'logged_in' ? { session: result.session.uuid } : { denied: result.message };
  }

  /** Protected by the global guard. */
  @Get('me')
  me(@CurrentSession() current: ActiveSession) {
    return { username: current.user.username, session: current.session.uuid };
  }

  /** Protected per route: the same guard without a global one (here both; it checks once). */
  @Get('settings')
  @UseGuards(SessionBindingGuard)
  settings(@CurrentSession() current: ActiveSession) {
    return { username: current.user.username };
  }

  @Public()
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }

  @Post('logout')
  @HttpCode(200)
  async signOut(@Req() request: HttpRequestLike, @Res({ passthrough: true }) response: HttpResponseLike) {
    return { ended: await this.logout.logout(request, response) };
  }
}
// readme:end
