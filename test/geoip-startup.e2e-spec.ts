import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from './fixtures/geoip-fixtures.js';
import { loadConfig } from '../apps/identity-server/src/config/app-config.js';
import { createApp } from '../apps/identity-server/src/create-app.js';
import { startTestServer } from './support/test-server.js';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '..');

describe('start-up refuses an unusable GeoIP database, naming the file and the variable', () => {
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-geoip-startup-'));
    files.city = writeCityDb(join(dir, 'city.mmdb'), [
      ['198.51.100.0/24', cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin' })],
    ]);
    files.asn = writeAsnDb(join(dir, 'asn.mmdb'), [['198.51.100.0/24', asnRecord(64500, 'Example Net A')]]);
    files.missing = join(dir, 'no-such-file.mmdb');
    // A real database with its search tree scribbled over: pointers now lead outside the file's data.
    const corrupt = await readFile(files.city);
    corrupt.fill(0xff, 0, 96);
    files.corrupt = join(dir, 'corrupt-city.mmdb');
    await writeFile(files.corrupt, corrupt);
    // Cut off before the metadata: what an interrupted download leaves behind.
    files.truncated = join(dir, 'truncated-city.mmdb');
    await writeFile(files.truncated, (await readFile(files.city)).subarray(0, 200));
    files.text = join(dir, 'GeoLite2-City.csv');
    await writeFile(files.text, 'network,geoname_id\n198.51.100.0/24,2950159\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const refusals: Array<[string, Record<string, () => string>, RegExp]> = [
    ['a missing City file', { GEOIP_CITY_DB: () => files.missing }, /does not exist/],
    ['a corrupt City file', { GEOIP_CITY_DB: () => files.corrupt }, /not a valid MaxMind DB/],
    ['a truncated City file', { GEOIP_CITY_DB: () => files.truncated }, /not a valid MaxMind DB/],
    ['a file that is not an mmdb', { GEOIP_CITY_DB: () => files.text }, /not a valid MaxMind DB/],
    [
      'an ASN database given as City',
      { GEOIP_CITY_DB: () => files.asn },
      /"GeoLite2-ASN" database but a City database is needed/,
    ],
    [
      'a City database given as ASN',
      { GEOIP_ASN_DB: () => files.city },
      /"GeoLite2-City" database but an? ASN database is needed/,
    ],
  ];

  it.each(refusals)('%s', async (_, variables, problem) => {
    const env = Object.fromEntries(Object.entries(variables).map(([name, path]) => [name, path()]));
    const [variable, path] = Object.entries(env)[0];
    const failure = await startFailure(env);
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.message).toContain(`${variable}=${path}`);
    expect(failure!.message).toMatch(problem);
  });

  it('the valid databases start the server (the refusals are about the files)', async () => {
    const server = await startTestServer({ env: { GEOIP_CITY_DB: files.city, GEOIP_ASN_DB: files.asn } });
    await server.close();
  });

  it('the server process exits non-zero with the message and no stack trace', async () => {
    await run(process.execPath, ['scripts/build.mjs']);
    const url = new URL(inject('databaseUrl'));
    const schema = `e2e_startup_${randomBytes(5).toString('hex')}`;
    url.searchParams.set('options', `-c search_path=${schema}`);
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: url.toString(),
        GEOIP_CITY_DB: files.corrupt,
        PORT: '0',
        HOST: '127.0.0.1',
      };
      const result = await run(process.execPath, ['dist/apps/identity-server/src/main.js'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `Start-up failed: GEOIP_CITY_DB=${files.corrupt} cannot be used: it is not a valid MaxMind DB`,
      );
      const output = `${result.stdout}\n${result.stderr}`;
      expect(output).not.toMatch(/^\s+at\s/m);
      expect(output).not.toContain('GeoIpConfigError');
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});

/** Builds the app as the tests do, in a schema of its own; resolves with the start-up error, or null when it started. */
async function startFailure(env: Record<string, string>): Promise<Error | null> {
  const url = inject('databaseUrl');
  const schema = `e2e_startup_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    // No logger: Nest would print each expected failure with its stack.
    const app = await createApp(loadConfig(env), { url, schema }, { logger: false });
    await app.close();
    return null;
  } catch (error) {
    return error as Error;
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

/** Runs a command in the repository; resolves with its exit code and output, whatever the code. */
function run(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd: ROOT, env: env ?? process.env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code === null) fail(error);
      else if (!env && code !== 0) fail(new Error(`${args.join(' ')} failed: ${stderr}`));
      else done({ code, stdout, stderr });
    });
  });
}
