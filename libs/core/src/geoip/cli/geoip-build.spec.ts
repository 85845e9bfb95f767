import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import { GeoIpBuildInputError, buildFromJson, main } from './geoip-build.js';

const dir = mkdtempSync(join(tmpdir(), 'geoip-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = {
  database_type: 'GeoLite2-ASN',
  ip_version: 6,
  description: 'Private ranges',
  networks: [
    {
      network: '10.8.0.0/16',
      record: { autonomous_system_number: 64512, autonomous_system_organization: 'Office VPN' },
    },
    {
      network: 'fd00::/8',
      record: { autonomous_system_number: 64513, weight: { $type: 'uint64', value: '18446744073709551615' } },
    },
  ],
};

function capture() {
  let text = '';
  return { stream: { write: (chunk: string) => (text += chunk) }, text: () => text };
}

describe('geoip-build', () => {
  it('builds a database the maxmind reader opens', () => {
    const { buffer, summary } = buildFromJson(valid);
    const reader = new Reader<Record<string, unknown>>(buffer);
    expect(reader.metadata).toMatchObject({
      databaseType: 'GeoLite2-ASN',
      ipVersion: 6,
      description: { en: 'Private ranges' },
    });
    expect(reader.getWithPrefixLength('10.8.3.4')).toEqual([valid.networks[0].record, 16]);
    expect(reader.get('fd12::1')).toEqual({ autonomous_system_number: 64513, weight: 2n ** 64n - 1n });
    expect(summary).toContain('2 networks');
  });

  it.each([
    [[], 'networks.json: expected an object'],
    [{ ...valid, database_type: '' }, 'database_type: expected a non-empty string'],
    [{ ...valid, ip_version: 5 }, 'ip_version: expected 4 or 6'],
    [{ ...valid, languages: 'en' }, 'languages: expected an array'],
    [{ ...valid, extra: 1 }, 'extra: unknown key'],
    [{ ...valid, networks: {} }, 'networks: expected an array'],
    [{ ...valid, networks: [42] }, 'networks[0]: expected { "network"'],
    [
      { ...valid, networks: [{ network: '10.0.0.1/8', record: {} }] },
      'networks[0].network: "10.0.0.1/8" has host bits set',
    ],
    [{ ...valid, networks: [{ network: 10, record: {} }] }, 'networks[0].network: expected a CIDR string'],
    [{ ...valid, networks: [{ network: '10.0.0.0/8', record: 'x' }] }, 'networks[0].record: expected an object'],
    [
      { ...valid, networks: [{ network: '10.0.0.0/8', record: { a: null } }] },
      'networks[0].record.a: null cannot be stored',
    ],
    [
      { ...valid, networks: [{ network: '10.0.0.0/8', record: { a: { $type: 'int8', value: 1 } } }] },
      'unknown $type "int8"',
    ],
    [
      { ...valid, networks: [{ network: '10.0.0.0/8', record: { a: { $type: 'uint16', value: 70000 } } }] },
      'networks[0].record: 70000 does not fit in uint16',
    ],
    [{ ...valid, ip_version: 4, networks: [{ network: '::/0', record: {} }] }, 'IPv4-only'],
    [{ ...valid, networks: [{ network: '10.0.0.0/8', record: {}, extra: 1 }] }, 'unknown key "extra"'],
  ])('reports bad input %#: %s', (input, message) => {
    expect(() => buildFromJson(input)).toThrow(GeoIpBuildInputError);
    expect(() => buildFromJson(input)).toThrow(message);
  });

  it('writes the file and exits 0', () => {
    const input = join(dir, 'in.json');
    const output = join(dir, 'out.mmdb');
    writeFileSync(input, JSON.stringify(valid));
    const out = capture();
    expect(main([input, output], out.stream, capture().stream)).toBe(0);
    expect(out.text()).toBe(`wrote ${output}: GeoLite2-ASN, IPv6, 2 networks, ${readFileSync(output).length} bytes\n`);
  });

  it.each([
    ['no arguments', () => [], 'usage: geoip-build'],
    ['a missing input file', () => [join(dir, 'missing.json'), join(dir, 'x.mmdb')], 'cannot read'],
    ['invalid JSON', () => [writeInput('{"database_type": '), join(dir, 'x.mmdb')], 'is not valid JSON'],
    [
      'a bad network',
      () => [writeInput(JSON.stringify({ ...valid, networks: [{ network: 'x', record: {} }] })), join(dir, 'x.mmdb')],
      'networks[0].network: "x" is not a network',
    ],
    [
      'an unwritable output',
      () => [writeInput(JSON.stringify(valid)), join(dir, 'no-such-dir', 'x.mmdb')],
      'cannot write',
    ],
  ])('exits 2 with a one-line message, no stack trace, for %s', (_, args, message) => {
    const err = capture();
    expect(main(args(), capture().stream, err.stream)).toBe(2);
    expect(err.text()).toContain(message);
    expect(err.text()).not.toMatch(/\n\s+at /);
  });
});

let inputs = 0;
function writeInput(text: string): string {
  const path = join(dir, `input-${inputs++}.json`);
  writeFileSync(path, text);
  return path;
}
