import { UserRepository, verifyPassword, type HttpRequestLike, type HttpResponseLike } from '@idp/core';
import { CurrentSession, SessionBindingGuard, UserLoginStageService, type ActiveSession } from '@idp/user-login';
import { Body, Controller, Get, HttpCode, Post, Req, Res, UnauthorizedException, UseGuards } from '@nestjs/common';

interface LoginBody {
  username: string;
  password: string;
  stage: string;
}

@Controller()
export class HostController {
  constructor(
    private readonly users: UserRepository,
    private readonly login: UserLoginStageService,
  ) {}

  /** The host's own password check, then the User Login stage makes the session. */
  @Post('login')
  @HttpCode(200)
  async signIn(
    @Body() body: LoginBody,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ): Promise<{ session: string } | { denied: string }> {
    const user = await this.users.findByUsername(body.username);
    const ok = await verifyPassword(user ? await this.users.passwordHashOf(user.pk) : null, body.password);
    const stage = await this.login.findStageByName(body.stage);
    if (!user || !ok || !stage) throw new UnauthorizedException({ detail: 'Invalid credentials.' });
    const result = await this.login.login({ request, response, stage, pendingUser: user });
    return result.outcome === 'logged_in' ? { session: result.session.uuid } : { denied: result.message };
  }

  @Get('me')
  @UseGuards(SessionBindingGuard)
  me(@CurrentSession() current: ActiveSession): { username: string; session: string } {
    return { username: current.user.username, session: current.session.uuid };
  }
}
