import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { describe, expect, it } from 'vitest';
import { DeviceProofRequiredException } from './device-proof.exception.js';
import { BOUND_COOKIE, DEVICE_COOKIE, deviceCookieAttributes, writeDeviceCookie } from './device-cookies.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function request(protocol: 'http' | 'https'): HttpRequestLike {
  return { method: 'GET', url: '/', ip: '198.51.100.1', protocol, headers: {} } as HttpRequestLike;
}

/** A response that keeps its headers, as the adapters do. */
function response(): HttpResponseLike & { headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>();
  return {
    headers,
    getHeader: (name: string) => headers.get(name),
    removeHeader: (name: string) => void headers.delete(name),
  } as unknown as HttpResponseLike & { headers: Map<string, unknown> };
}

/** The Set-Cookie header writeDeviceCookie leaves on a response to a request over `protocol`. */
function written(cookie: string, value: string, maxAgeSeconds: number, protocol: 'http' | 'https'): unknown {
  const res = response();
  writeDeviceCookie(
    (target, name, header) => void (target as typeof res).headers.set(name, header),
    res,
    cookie,
    value,
    maxAgeSeconds,
    { request: request(protocol), secureMode: 'auto', now: NOW },
  );
  return res.headers.get('set-cookie');
}

describe('device cookies', () => {
  it('writes Max-Age and the matching Expires, from the injected now', () => {
    expect(written(DEVICE_COOKIE, 'token', 90, 'http')).toEqual([
      'idp_device=token; Max-Age=90; Path=/; Expires=Thu, 01 Jan 2026 12:01:30 GMT; HttpOnly; SameSite=Lax',
    ]);
  });

  it('names and marks the cookie Secure (__Host-) only where cookies are secure', () => {
    expect(deviceCookieAttributes({ request: request('https'), secureMode: 'auto' })).toBe(
      'Path=/; Secure; HttpOnly; SameSite=Lax',
    );
    expect(deviceCookieAttributes({ request: request('http'), secureMode: 'auto' })).toBe(
      'Path=/; HttpOnly; SameSite=Lax',
    );
    expect(String(written(BOUND_COOKIE, 'b', 1, 'https'))).toMatch(/^__Host-idp_bound=b; .*; Secure/);
  });

  it('DeviceProofRequiredException: 401 with its code, also as a property for hosts', () => {
    const error = new DeviceProofRequiredException();
    expect(error.getStatus()).toBe(401);
    expect(error.getResponse()).toEqual({ detail: 'Device proof required', code: 'device_proof_required' });
    expect(error.code).toBe('device_proof_required');
  });
});
