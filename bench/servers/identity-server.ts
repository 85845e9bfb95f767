// The identity server as the benchmark runs it when `dist/.../main.js` cannot: on Express
// (BENCH_ADAPTER=express), or with one extra route that runs the User Login stage alone
// (BENCH_LOGIN_ROUTE=1). Everything else is the production app from createApp().
import 'reflect-metadata';
import { UserRepository } from '@idp/core';
import { UserLoginStageService } from '@idp/user-login';
import { loadConfig } from '../../apps/identity-server/src/config/app-config.js';
import { HousekeepingService } from '../../apps/identity-server/src/housekeeping/housekeeping.service.js';
import { createApp, type HttpAdapterName } from '../../apps/identity-server/src/create-app.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const adapter = (process.env.BENCH_ADAPTER ?? 'fastify') as HttpAdapterName;
  const app = await createApp(config, { url: process.env.DATABASE_URL! }, { adapter, logger: ['error', 'warn'] });
  if (process.env.BENCH_LOGIN_ROUTE === '1') {
    // POST /bench/login/?user=<username>: the stage's login() (session row, login event,
    // terminate_other_sessions) for a user the flow would have identified; no password hashing.
    const logins = app.get(UserLoginStageService);
    const stage = await logins.findStageByName('default-authentication-login');
    if (!stage) throw new Error('default-authentication-login is missing');
    const users = app.get(UserRepository);
    const http = app.getHttpAdapter().getInstance();
    http.post('/bench/login/', async (request: any, reply: any) => {
      const username = new URL(request.url, 'http://x').searchParams.get('user') ?? 'akadmin';
      const user = await users.findByUsername(username);
      const result = await logins.login({
        request,
        response: reply,
        stage: { ...stage, terminateOtherSessions: true },
        pendingUser: user,
        authMethod: 'bench',
      });
      reply.code(result.outcome === 'logged_in' ? 204 : 403).send();
    });
    // POST /bench/housekeeping/: one run of the housekeeping job, timed.
    http.post('/bench/housekeeping/', async (_request: any, reply: any) => {
      const started = performance.now();
      const report = await app.get(HousekeepingService).runOnce();
      reply.send({ ...report, ms: performance.now() - started });
    });
  }
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.once('SIGINT', () => void app.close().then(() => process.exit(0)));
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
