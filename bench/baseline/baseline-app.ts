// The stack a Nest user would pick for server-side sessions instead of @idp/user-login:
// express-session with connect-pg-simple on the same PostgreSQL, as its README configures it
// (resave: false, saveUninitialized: false). The benchmark's "baseline" row.
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post, Req, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';

declare module 'express-session' {
  interface SessionData {
    user: { pk: number; username: string };
  }
}

type SessionRequest = { session: session.Session & Partial<session.SessionData> };

@Controller()
class BaselineController {
  /** Starts a session for the named user (no password: the benchmark measures the session, not hashing). */
  @Post('login')
  @HttpCode(204)
  async login(@Req() request: SessionRequest, @Body() body: { username?: string; pk?: number }): Promise<void> {
    const old = request.session;
    await new Promise<void>((resolve, reject) => old.regenerate((error) => (error ? reject(error) : resolve())));
    request.session.user = { pk: body.pk ?? 1, username: body.username ?? 'bench' };
  }

  /** The authenticated route: what `GET /api/v3/core/users/me/` is on the identity server. */
  @Get('me')
  me(@Req() request: SessionRequest) {
    if (!request.session.user) throw new UnauthorizedException();
    return { user: request.session.user };
  }

  @Get('health')
  @HttpCode(204)
  health(): void {}
}

@Module({ controllers: [BaselineController] })
class BaselineModule {}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const PgStore = connectPgSimple(session);
  const app = await NestFactory.create<NestExpressApplication>(BaselineModule, new ExpressAdapter(), {
    logger: ['error', 'warn'],
  });
  app.use(
    session({
      store: new PgStore({ pool, createTableIfMissing: true }),
      secret: 'baseline-benchmark-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 14 * 86_400_000 },
    }),
  );
  const shutdown = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  await app.listen(Number(process.env.PORT ?? 9100), '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
