import {
  CORE_ENTITIES,
  CORE_MIGRATIONS,
  CoreModule,
  UserRepository,
  verifyPassword,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
} from '@idp/core';
import {
  CurrentSession,
  SessionBindingGuard,
  SessionLogoutService,
  USER_LOGIN_ENTITIES,
  USER_LOGIN_MIGRATIONS,
  UserLoginModule,
  UserLoginStageService,
  type ActiveSession,
} from '@idp/user-login';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

/**
 * A host app that is not the identity server: no flows, Express instead of Fastify. It logs in
 * through `UserLoginStageService` directly and guards a route with `SessionBindingGuard`, to
 * prove the module works on its own and under either adapter.
 */
@Controller()
class HostController {
  constructor(
    private readonly users: UserRepository,
    private readonly login: UserLoginStageService,
    private readonly logout: SessionLogoutService,
  ) {}

  @Post('login')
  @HttpCode(200)
  async signIn(
    @Body() body: { username: string; password: string; stage: string; remember_me?: boolean },
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
      authMethod: 'password',
    });
    return result.outcome === 'logged_in' ? { session: result.session.uuid } : { denied: result.message };
  }

  @Get('protected')
  @UseGuards(SessionBindingGuard)
  whoAmI(@CurrentSession() current: ActiveSession) {
    return { username: current.user.username, session: current.session.uuid };
  }

  @Post('logout')
  @HttpCode(200)
  async signOut(@Req() request: HttpRequestLike, @Res({ passthrough: true }) response: HttpResponseLike) {
    return { ended: await this.logout.logout(request, response) };
  }
}

@Module({})
export class ExpressHostModule {
  static forRoot(options: {
    url: string;
    schema: string;
    asnDb?: string;
    cityDb?: string;
    clock?: Clock;
  }): DynamicModule {
    return {
      module: ExpressHostModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          schema: options.schema,
          extra: { options: `-c search_path=${options.schema}` },
          entities: [...CORE_ENTITIES, ...USER_LOGIN_ENTITIES],
          migrations: [...CORE_MIGRATIONS, ...USER_LOGIN_MIGRATIONS],
          migrationsRun: true,
          synchronize: false,
        }),
        CoreModule.forRoot({}, options.clock),
        // forRootAsync on purpose: the identity server uses forRoot, so both paths are exercised.
        UserLoginModule.forRootAsync({
          useFactory: () => ({ geoipAsnDb: options.asnDb, geoipCityDb: options.cityDb, cookieName: 'host_session' }),
        }),
      ],
      controllers: [HostController],
    };
  }
}
