// authentik's own generated TypeScript client (@goauthentik/api, pinned) against the server: a
// team moving from authentik keeps its scripts, so every route we share with authentik must
// answer in a shape the client parses into its models. Admin calls use the bootstrap token (the
// client's `accessToken`), the flow executor and users/me a cookie-keeping `fetchApi` as a
// browser would. Each call asserts on the parsed model, not on the raw JSON.
import {
  BackendsEnum,
  ChallengeTypes,
  Configuration,
  CoreApi,
  EventsApi,
  FlowDesignationEnum,
  FlowsApi,
  GeoipBindingEnum,
  NetworkBindingEnum,
  ResponseError,
  StagesApi,
  type UserLoginStage,
} from '@goauthentik/api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBindingDatabases } from './fixtures/session-binding-fixtures.js';
import { createUser, patchDefaultLoginStage } from './support/admin-api.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const PASSWORD = 'authentik-client-password';
const FLOW = 'default-authentication-flow';
const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';

/** A `fetch` that keeps cookies between calls, as the browser running authentik's flow UI does. */
function cookieKeepingFetch(): typeof fetch {
  const jar = new Map<string, string>();
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (jar.size > 0) headers.set('Cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
}

/** The error a failed call throws, with the status and JSON body the server sent. */
async function failure(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await call.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ResponseError);
  const { response } = error as ResponseError;
  return { status: response.status, body: await response.json().catch(() => null) };
}

describe("authentik's TypeScript client (@goauthentik/api) against the server", () => {
  let server: TestServer;
  let admin: Configuration;
  let browser: Configuration;
  let userPk: number;
  let created: UserLoginStage;
  let sessionUuid: string;
  let dir: string;

  beforeAll(async () => {
    // Binding levels need their databases, as in production.
    dir = await mkdtemp(join(tmpdir(), 'idp-authentik-client-'));
    server = await startTestServer({ env: writeBindingDatabases(dir) });
    await server.app.listen(0, '127.0.0.1');
    const { port } = server.app.getHttpServer().address() as { port: number };
    const basePath = `http://127.0.0.1:${port}/api/v3`;
    admin = new Configuration({ basePath, accessToken: ADMIN_TOKEN });
    browser = new Configuration({ basePath, fetchApi: cookieKeepingFetch(), headers: { 'User-Agent': FIREFOX } });
    userPk = await createUser(server, 'ak-client', PASSWORD);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('user_login stages', () => {
    it('stagesUserLoginCreate: every field of UserLoginStageRequest, remember_device included', async () => {
      created = await new StagesApi(admin).stagesUserLoginCreate({
        userLoginStageRequest: {
          name: 'ak-client-login',
          sessionDuration: 'hours=8',
          rememberMeOffset: 'days=30',
          terminateOtherSessions: true,
          networkBinding: NetworkBindingEnum.BindAsn,
          geoipBinding: GeoipBindingEnum.NoBinding,
          rememberDevice: 'days=14',
        },
      });
      expect(created).toMatchObject({
        name: 'ak-client-login',
        component: 'ak-stage-user-login-form',
        verboseName: 'User Login Stage',
        verboseNamePlural: 'User Login Stages',
        metaModelName: 'authentik_stages_user_login.userloginstage',
        flowSet: [],
        sessionDuration: 'hours=8',
        rememberMeOffset: 'days=30',
        terminateOtherSessions: true,
        networkBinding: 'bind_asn',
        geoipBinding: 'no_binding',
        rememberDevice: 'days=14',
      });
      expect(created.pk).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('stagesUserLoginList: a page of UserLoginStage with pagination', async () => {
      const page = await new StagesApi(admin).stagesUserLoginList({ search: 'ak-client' });
      expect(page.pagination).toMatchObject({ count: 1, current: 1, totalPages: 1, startIndex: 1, endIndex: 1 });
      expect(page.results.map((stage) => [stage.pk, stage.component, stage.flowSet])).toEqual([
        [created.pk, 'ak-stage-user-login-form', []],
      ]);
    });

    it('stagesUserLoginRetrieve', async () => {
      const stage = await new StagesApi(admin).stagesUserLoginRetrieve({ stageUuid: created.pk });
      expect(stage).toMatchObject({ pk: created.pk, name: 'ak-client-login', rememberDevice: 'days=14' });
    });

    it('stagesUserLoginUpdate (PUT): unsent fields keep their values', async () => {
      const stage = await new StagesApi(admin).stagesUserLoginUpdate({
        stageUuid: created.pk,
        userLoginStageRequest: { name: 'ak-client-login-2', sessionDuration: 'hours=2' },
      });
      expect(stage).toMatchObject({
        pk: created.pk,
        name: 'ak-client-login-2',
        sessionDuration: 'hours=2',
        rememberMeOffset: 'days=30',
        networkBinding: 'bind_asn',
      });
    });

    it('stagesUserLoginPartialUpdate (PATCH)', async () => {
      const stage = await new StagesApi(admin).stagesUserLoginPartialUpdate({
        stageUuid: created.pk,
        patchedUserLoginStageRequest: { geoipBinding: GeoipBindingEnum.BindContinent, rememberDevice: 'seconds=0' },
      });
      expect(stage).toMatchObject({
        geoipBinding: 'bind_continent',
        rememberDevice: 'seconds=0',
        name: 'ak-client-login-2',
      });
    });

    it('a bad duration is a 400 naming the field', async () => {
      const refused = await failure(
        new StagesApi(admin).stagesUserLoginPartialUpdate({
          stageUuid: created.pk,
          patchedUserLoginStageRequest: { sessionDuration: 'fortnights=1' },
        }),
      );
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ session_duration: [expect.stringContaining('fortnights')] });
    });

    it('stagesPasswordCreate: authentik requires backends; the inbuilt one is the only one here', async () => {
      const stages = new StagesApi(admin);
      const password = await stages.stagesPasswordCreate({
        passwordStageRequest: {
          name: 'ak-client-password',
          backends: [BackendsEnum.AuthentikCoreAuthInbuiltBackend],
          failedAttemptsBeforeCancel: 3,
        },
      });
      expect(password).toMatchObject({
        component: 'ak-stage-password-form',
        metaModelName: 'authentik_stages_password.passwordstage',
        backends: ['authentik.core.auth.InbuiltBackend'],
        failedAttemptsBeforeCancel: 3,
      });
      const refused = await failure(
        stages.stagesPasswordCreate({
          passwordStageRequest: {
            name: 'ak-client-ldap',
            backends: [BackendsEnum.AuthentikSourcesLdapAuthLdapBackend],
          },
        }),
      );
      expect(refused).toEqual({ status: 400, body: { backends: [expect.stringContaining('InbuiltBackend')] } });
      await stages.stagesPasswordDestroy({ stageUuid: password.pk });
    });

    it("stagesAllList: every stage as authentik's Stage, flow_set from the bindings", async () => {
      const page = await new StagesApi(admin).stagesAllList({ pageSize: 100 });
      const login = page.results.find((stage) => stage.name === 'default-authentication-login');
      expect(login).toMatchObject({
        component: 'ak-stage-user-login-form',
        verboseName: 'User Login Stage',
        metaModelName: 'authentik_stages_user_login.userloginstage',
      });
      expect(login!.flowSet!.map((flow) => [flow.slug, flow.designation])).toEqual([[FLOW, 'authentication']]);
      const password = page.results.find((stage) => stage.name === 'default-authentication-password');
      expect(password).toMatchObject({
        component: 'ak-stage-password-form',
        metaModelName: 'authentik_stages_password.passwordstage',
      });
      expect(page.results.find((stage) => stage.pk === created.pk)?.flowSet).toEqual([]);
    });
  });

  describe('flows', () => {
    it('flowsInstancesList and flowsInstancesRetrieve', async () => {
      const flows = new FlowsApi(admin);
      const page = await flows.flowsInstancesList({ designation: FlowDesignationEnum.Authentication });
      expect(page.results.map((flow) => flow.slug)).toContain(FLOW);
      const flow = await flows.flowsInstancesRetrieve({ slug: FLOW });
      expect(flow).toMatchObject({
        slug: FLOW,
        designation: 'authentication',
        policybindingmodelPtrId: flow.pk,
        policies: [],
        cacheCount: 0,
        exportUrl: '',
      });
      expect(flow.pk).toMatch(/^[0-9a-f-]{36}$/);
      // authentik's `stages`: the bound stages in order (identification, password, login)
      const stages = new StagesApi(admin);
      const names = await Promise.all(
        flow.stages.map(async (stageUuid) => (await stages.stagesAllRetrieve({ stageUuid })).name),
      );
      expect(names).toEqual([
        'default-authentication-identification',
        'default-authentication-password',
        'default-authentication-login',
      ]);
    });

    it('flowsInstancesCreate/PartialUpdate, flowsBindingsCreate/Retrieve/PartialUpdate/Destroy, flowsInstancesDestroy', async () => {
      const flows = new FlowsApi(admin);
      const flow = await flows.flowsInstancesCreate({
        flowRequest: {
          name: 'Client flow',
          slug: 'ak-client-flow',
          title: 'Client',
          designation: FlowDesignationEnum.Invalidation,
        },
      });
      expect(flow).toMatchObject({ slug: 'ak-client-flow', stages: [], policybindingmodelPtrId: flow.pk });
      const renamed = await flows.flowsInstancesPartialUpdate({
        slug: 'ak-client-flow',
        patchedFlowRequest: { title: 'Client 2' },
      });
      expect(renamed.title).toBe('Client 2');
      const [logout] = (await new StagesApi(admin).stagesAllList({ search: 'default-invalidation-logout' })).results;
      const binding = await flows.flowsBindingsCreate({
        flowStageBindingRequest: { target: flow.pk, stage: logout.pk, order: 5 },
      });
      expect(binding).toMatchObject({
        target: flow.pk,
        stage: logout.pk,
        order: 5,
        policybindingmodelPtrId: binding.pk,
      });
      expect(binding.stageObj.flowSet!.map((set) => set.slug)).toContain('ak-client-flow');
      expect((await flows.flowsBindingsRetrieve({ fsbUuid: binding.pk })).stageObj.name).toBe(
        'default-invalidation-logout',
      );
      const moved = await flows.flowsBindingsPartialUpdate({
        fsbUuid: binding.pk,
        patchedFlowStageBindingRequest: { order: 6 },
      });
      expect(moved.order).toBe(6);
      expect((await flows.flowsInstancesRetrieve({ slug: 'ak-client-flow' })).stages).toEqual([logout.pk]);
      await flows.flowsBindingsDestroy({ fsbUuid: binding.pk });
      await flows.flowsInstancesDestroy({ slug: 'ak-client-flow' });
      expect((await failure(flows.flowsInstancesRetrieve({ slug: 'ak-client-flow' }))).status).toBe(404);
    });

    it('flowsBindingsList: FlowStageBinding with stage_obj and policybindingmodel_ptr_id', async () => {
      const flows = new FlowsApi(admin);
      const flow = await flows.flowsInstancesRetrieve({ slug: FLOW });
      const page = await flows.flowsBindingsList({ target: flow.pk, ordering: 'order' });
      expect(page.results.length).toBeGreaterThanOrEqual(3);
      for (const binding of page.results) {
        expect(binding.target).toBe(flow.pk);
        expect(binding.stage).toBe(binding.stageObj.pk);
        expect(binding.policybindingmodelPtrId).toMatch(/^[0-9a-f-]{36}$/);
        expect(binding.stageObj.flowSet!.map((set) => set.slug)).toContain(FLOW);
      }
      expect(page.results.at(-1)!.stageObj).toMatchObject({
        name: 'default-authentication-login',
        component: 'ak-stage-user-login-form',
      });
    });
  });

  describe('the flow executor, users/me and sessions', () => {
    it('flowsExecutorGet / flowsExecutorSolve: identification, password, user login', async () => {
      // The remember-me question only shows with an offset (set without the client: this call is not under test).
      await patchDefaultLoginStage(server, { remember_me_offset: 'days=1' });

      const flows = new FlowsApi(browser);
      const solve = (answer: Parameters<FlowsApi['flowsExecutorSolve']>[0]['flowChallengeResponseRequest']) =>
        flows.flowsExecutorSolve({ flowSlug: FLOW, query: '', flowChallengeResponseRequest: answer });
      const first: ChallengeTypes = await flows.flowsExecutorGet({ flowSlug: FLOW, query: '' });
      expect(first.component).toBe('ak-stage-identification');
      const password = await solve({ component: 'ak-stage-identification', uidField: 'ak-client' });
      expect(password.component).toBe('ak-stage-password');
      const wrong = await solve({ component: 'ak-stage-password', password: 'not-it' });
      expect(wrong.component).toBe('ak-stage-password');
      expect(wrong.responseErrors?.password?.[0]?.code).toBeTruthy();
      const question = await solve({ component: 'ak-stage-password', password: PASSWORD });
      expect(question.component).toBe('ak-stage-user-login');
      if (question.component !== 'ak-stage-user-login') return;
      expect(question.pendingUser).toBe('ak-client');
      expect(typeof question.pendingUserAvatar).toBe('string');
      const done = await solve({ component: 'ak-stage-user-login', rememberMe: true });
      expect(done.component).toBe('xak-flow-redirect');
      if (done.component === 'xak-flow-redirect') expect(done.to).toBeTruthy();
    });

    it('coreUsersMeRetrieve: SessionUser {user: UserSelf}', async () => {
      const me = await new CoreApi(browser).coreUsersMeRetrieve();
      expect(me.user).toMatchObject({
        pk: userPk,
        username: 'ak-client',
        email: 'ak-client@example.test',
        isActive: true,
        isSuperuser: false,
        isCurrent: true,
        groups: [],
        roles: [],
        settings: {},
        systemPermissions: [],
      });
      const { uuid } = (await server.db.query('SELECT uuid FROM users WHERE pk = $1', [userPk])).rows[0];
      expect(me.user.uid).toBe(uuid);
      expect(me.user.avatar).toBe('');
      expect(me.users).toEqual([]);
      expect(me.original).toBeUndefined();
    });

    it('coreUsersList and coreUsersRetrieve', async () => {
      const core = new CoreApi(admin);
      const page = await core.coreUsersList({ search: 'ak-client' });
      expect(page.results.map((user) => [user.pk, user.username, user.isActive])).toEqual([
        [userPk, 'ak-client', true],
      ]);
      const { uuid } = (await server.db.query('SELECT uuid FROM users WHERE pk = $1', [userPk])).rows[0];
      const user = await core.coreUsersRetrieve({ id: userPk });
      expect(user).toMatchObject({ uuid, uid: uuid, avatar: '', groupsObj: [], rolesObj: [], isSuperuser: false });
      expect(user.dateJoined).toBeInstanceOf(Date);
      expect(user.dateJoined.getTime()).toBeLessThanOrEqual(Date.now());
      expect(user.lastLogin).toBeInstanceOf(Date); // set by the login above
      // Required in authentik's User: real dates, not the client's "Invalid Date" for a missing one.
      for (const date of [user.lastUpdated, user.passwordChangeDate]) {
        expect(date).toBeInstanceOf(Date);
        expect(date.getTime()).toBeGreaterThanOrEqual(user.dateJoined.getTime());
      }
    });

    it('coreAuthenticatedSessionsList and coreAuthenticatedSessionsRetrieve', async () => {
      const core = new CoreApi(admin);
      const page = await core.coreAuthenticatedSessionsList({ userUsername: 'ak-client' });
      expect(page.results).toHaveLength(1);
      const [session] = page.results;
      expect(session.user).toBe(userPk);
      expect(session.current).toBe(false); // the admin's token is not this session
      expect(session.lastIp).toBe('127.0.0.1');
      expect(session.lastUsed).toBeInstanceOf(Date);
      expect(session.expires!.getTime()).toBeGreaterThan(Date.now());
      expect(session.lastUserAgent).toBe(FIREFOX);
      expect(session.userAgent.userAgent).toEqual({ family: 'Firefox', major: '128', minor: '0', patch: '' });
      expect(session.userAgent.os).toMatchObject({ family: 'macOS', major: '14', minor: '5' });
      expect(session.userAgent.device).toMatchObject({ family: 'Macintosh', model: 'Macintosh' });
      expect(session.userAgent.string).toBe(FIREFOX);
      expect(session.geoIp).toBeNull();
      expect(session.asn).toBeNull();
      sessionUuid = session.uuid!;
      const one = await core.coreAuthenticatedSessionsRetrieve({ uuid: sessionUuid });
      expect(one).toMatchObject({ uuid: sessionUuid, user: userPk });
      // The session's own cookie sees itself as the current one.
      const own = await new CoreApi(browser).coreAuthenticatedSessionsRetrieve({ uuid: sessionUuid });
      expect(own.current).toBe(true);
    });

    it('coreAuthenticatedSessionsDestroy ends the session: users/me is then a 401', async () => {
      await new CoreApi(admin).coreAuthenticatedSessionsDestroy({ uuid: sessionUuid });
      expect((await failure(new CoreApi(admin).coreAuthenticatedSessionsRetrieve({ uuid: sessionUuid }))).status).toBe(
        404,
      );
      expect((await failure(new CoreApi(browser).coreUsersMeRetrieve())).status).toBe(401);
    });

    it('eventsEventsList: the login and logout events as Event', async () => {
      const events = new EventsApi(admin);
      const logins = await events.eventsEventsList({ action: 'login', username: 'ak-client' });
      expect(logins.results).toHaveLength(1);
      expect(logins.results[0]).toMatchObject({ action: 'login', user: { pk: userPk, username: 'ak-client' } });
      expect(logins.results[0].created).toBeInstanceOf(Date);
      const logouts = await events.eventsEventsList({ action: 'logout', username: 'ak-client' });
      expect(logouts.results[0].context).toMatchObject({ session_uuid: sessionUuid });
    });
  });

  it('stagesUserLoginDestroy, then a 404 for it', async () => {
    const stages = new StagesApi(admin);
    await stages.stagesUserLoginDestroy({ stageUuid: created.pk });
    expect((await failure(stages.stagesUserLoginRetrieve({ stageUuid: created.pk }))).status).toBe(404);
  });

  it('a binding body with authentik fields this server has no policies for: a 400 naming them', async () => {
    const flows = new FlowsApi(admin);
    const flow = await flows.flowsInstancesRetrieve({ slug: FLOW });
    const [binding] = (await flows.flowsBindingsList({ target: flow.pk })).results;
    const refused = await failure(
      flows.flowsBindingsCreate({
        flowStageBindingRequest: { target: flow.pk, stage: binding.stage, order: 999, reEvaluatePolicies: true },
      }),
    );
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body as object)).toEqual(['re_evaluate_policies']);
  });
});
