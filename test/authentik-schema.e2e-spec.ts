// Our OpenAPI document against authentik's own (the `schema.yml` that @goauthentik/api ships) for
// the components both describe: every property and enum value authentik has must be here with the
// same type, and every property we add beyond authentik's must be named in
// docs/authentik-compatibility.md, so the list of differences cannot fall behind the code.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from './support/test-server.js';

interface Schema {
  type?: string;
  enum?: unknown[];
  $ref?: string;
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
}
interface Document {
  components: { schemas: Record<string, Schema> };
}

/** authentik's component name → ours (ours follow the DTO classes' names). */
const COMPONENTS: Record<string, string> = {
  UserLoginStage: 'UserLoginStageDto',
  UserLoginStageRequest: 'UserLoginStageDto',
  PatchedUserLoginStageRequest: 'PartialUserLoginStageDto',
  AuthenticatedSession: 'SessionResponse',
  UserLoginChallenge: 'UserLoginChallenge',
  UserLoginChallengeResponseRequest: 'UserLoginChallengeResponseRequest',
  NetworkBindingEnum: 'NetworkBindingEnum',
  GeoipBindingEnum: 'GeoipBindingEnum',
  Pagination: 'PaginationResponse',
};

/**
 * Where our type is narrower than authentik's and a client of either parses it alike:
 * authentik declares the page numbers as `number`, they are always whole numbers.
 */
const NARROWER: Record<string, string> = { 'Pagination.*': 'number→integer' };

const AUTHENTIK: Document = parse(
  readFileSync(
    join(dirname(createRequire(import.meta.url).resolve('@goauthentik/api/package.json')), 'schema.yml'),
    'utf8',
  ),
);
const DOC = readFileSync(join(import.meta.dirname, '../docs/authentik-compatibility.md'), 'utf8');

let served: Document | undefined;
/** Our document, as the server serves it. */
const ours = (): Document => served!;

/** A schema with `$ref` and single-entry `allOf` (authentik's way of describing an enum field) followed. */
function resolve(document: Document, schema: Schema): Schema {
  if (schema.$ref) return resolve(document, document.components.schemas[schema.$ref.split('/').at(-1)!]);
  if (schema.allOf?.length === 1) return { ...resolve(document, schema.allOf[0]), ...schema, allOf: undefined };
  return schema;
}

/** `string`, `array of object`, ...: what a generated client's model is built from. */
function typeOf(document: Document, schema: Schema): string {
  const resolved = resolve(document, schema);
  const type = resolved.type ?? (resolved.properties ? 'object' : 'any');
  return type === 'array' ? `array of ${typeOf(document, resolved.items ?? {})}` : type;
}

/**
 * What authentik's schema has that ours lacks or types differently, nested objects (the session's
 * `user_agent`) included: `["user: integer in authentik, object here", ...]`.
 */
function differences(component: string, theirs: Schema, mine: Schema, path = ''): string[] {
  const problems: string[] = [];
  const [their, own] = [resolve(AUTHENTIK, theirs), resolve(ours(), mine)];
  for (const value of their.enum ?? [])
    if (!own.enum?.includes(value)) problems.push(`${path || component}: enum value ${String(value)} missing`);
  for (const [name, property] of Object.entries(their.properties ?? {})) {
    const at = path ? `${path}.${name}` : name;
    const mineProperty = own.properties?.[name];
    if (!mineProperty) {
      problems.push(`${at}: missing`);
      continue;
    }
    const [want, got] = [typeOf(AUTHENTIK, property), typeOf(ours(), mineProperty)];
    if (want !== got && NARROWER[`${component}.*`] !== `${want}→${got}`) {
      problems.push(`${at}: ${want} in authentik, ${got} here`);
      continue;
    }
    problems.push(...differences(component, property, mineProperty, at));
  }
  return problems;
}

/** The `### Name` section of the compatibility document. */
function docSection(name: string): string {
  const start = DOC.indexOf(`### ${name}\n`);
  if (start < 0) return '';
  const end = DOC.indexOf('\n#', start + 4);
  return DOC.slice(start, end < 0 ? undefined : end);
}

describe("our OpenAPI document against authentik's schema.yml (@goauthentik/api 2026.8.3)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const response = await request(server.http).get('/api/v3/schema/');
    expect(response.status).toBe(200);
    served = response.body;
  });
  afterAll(() => server?.close());

  for (const [theirName, ourName] of Object.entries(COMPONENTS)) {
    describe(`${theirName} (ours: ${ourName})`, () => {
      it('has every property of authentik with the same type, and every enum value', () => {
        const theirs = AUTHENTIK.components.schemas[theirName];
        const mine = ours().components.schemas[ourName];
        expect(theirs, `authentik has ${theirName}`).toBeDefined();
        expect(mine, `our document has ${ourName}`).toBeDefined();
        const problems = differences(theirName, theirs, mine);
        expect(problems).toEqual([]);
      });

      it('every property we add is listed in docs/authentik-compatibility.md', () => {
        const theirs = Object.keys(AUTHENTIK.components.schemas[theirName].properties ?? {});
        const extra = Object.keys(ours().components.schemas[ourName].properties ?? {}).filter(
          (name) => !theirs.includes(name),
        );
        const section = docSection(theirName);
        expect(extra.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
      });
    });
  }

  it('the inline enums of the stage fields are the named ones', () => {
    const stage = ours().components.schemas.UserLoginStageDto.properties!;
    expect(stage.network_binding.enum).toEqual(ours().components.schemas.NetworkBindingEnum.enum);
    expect(stage.geoip_binding.enum).toEqual(ours().components.schemas.GeoipBindingEnum.enum);
  });
});
