import { Validator } from '@seriousme/openapi-schema-validator';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BINDING_MODES,
  GEOIP_BINDINGS,
  LIMIT_POLICIES,
  MISSING_RECORD_POLICIES,
  NETWORK_BINDINGS,
} from '@idp/user-login';
import { startTestServer, type TestServer } from './support/test-server.js';

/** Every route Nest serves from a controller Swagger is not told to leave out, as `get /a/{id}/`. */
function servedRoutes(server: TestServer): string[] {
  const discovery = server.app.get(DiscoveryService);
  const scanner = server.app.get(MetadataScanner);
  const routes: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new () => unknown) | undefined;
    if (!type || Reflect.getMetadata('swagger/apiExcludeController', type)) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
    const prototype = type.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const path = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
      routes.push(`${method} ${openApiPath(`${base}/${String(path)}`)}`);
    }
  }
  return [...new Set(routes)].sort();
}

/** `api/v3/core/users/:pk` as the document writes it: `/api/v3/core/users/{pk}/`. */
function openApiPath(path: string): string {
  const clean = path
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/^:(.+)$/, '{$1}'));
  return clean.length === 0 ? '/' : `/${clean.join('/')}/`;
}

describe('OpenAPI document and docs page', () => {
  let server: TestServer;
  let document: {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
    components: {
      schemas: Record<string, { properties?: Record<string, { enum?: unknown[]; items?: { enum?: unknown[] } }> }>;
    };
  };

  beforeAll(async () => {
    server = await startTestServer();
    const response = await request(server.http).get('/api/v3/schema/');
    expect(response.status).toBe(200);
    document = response.body;
  });
  afterAll(() => server?.close());

  it('is a valid OpenAPI 3 document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the server serves, the flow executor included', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    const served = servedRoutes(server);
    expect(served.length).toBeGreaterThan(40);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
    for (const method of ['get', 'post', 'delete'])
      expect(documented).toContain(`${method} /api/v3/flows/executor/{slug}/`);
  });

  it('names the enums, the challenge components and the error shapes', () => {
    const schemas = document.components.schemas;
    const login = schemas.UserLoginStageDto.properties!;
    expect(login.network_binding.enum).toEqual([...NETWORK_BINDINGS]);
    expect(login.geoip_binding.enum).toEqual([...GEOIP_BINDINGS]);
    expect(login.binding_mode.enum).toEqual([...BINDING_MODES]);
    expect(login.on_missing_record.enum).toEqual([...MISSING_RECORD_POLICIES]);
    expect(login.on_limit.enum).toEqual([...LIMIT_POLICIES]);
    const components = Object.values(schemas)
      .map((schema) => schema.properties?.component?.enum)
      .filter(Boolean)
      .flat();
    expect(components).toEqual(
      expect.arrayContaining([
        'ak-stage-identification',
        'ak-stage-password',
        'ak-stage-prompt',
        'ak-stage-user-login',
        'ak-stage-access-denied',
        'xak-flow-redirect',
      ]),
    );
    expect(schemas).toHaveProperty('FieldErrors');
    expect(schemas).toHaveProperty('CodedDetailResponse');
    const create = document.paths['/api/v3/stages/user_login/'].post as { responses: Record<string, unknown> };
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
  });

  it('serves Swagger UI from the package, under a policy of its own, with no other origin', async () => {
    const page = await request(server.http).get('/api/v3/docs/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'docs-init.js']) {
      const response = await request(server.http).get(`/api/v3/docs/${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers['content-security-policy'], asset).toBe(policy);
    }
    expect((await request(server.http).get('/api/v3/docs/package.json')).status).toBe(404);
    expect((await request(server.http).get('/api/v3/docs/..%2Fpackage.json')).status).toBe(404);
  });
});
