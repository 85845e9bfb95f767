import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';
import { parseLoginThrottle } from './login-throttle.js';

describe('parseLoginThrottle', () => {
  it.each([
    ['', { perUserAndIp: 10, perIp: 100, windowMs: 900_000 }],
    ['user_ip=10,ip=100,window=minutes=15', { perUserAndIp: 10, perIp: 100, windowMs: 900_000 }],
    ['ip=5', { perUserAndIp: 10, perIp: 5, windowMs: 900_000 }],
    ['window=hours=1,minutes=30,user_ip=3', { perUserAndIp: 3, perIp: 100, windowMs: 5_400_000 }],
    [' user_ip = 2 , window=seconds=1', { perUserAndIp: 2, perIp: 100, windowMs: 1000 }],
  ])('reads %j', (value, expected) => {
    expect(parseLoginThrottle(value)).toEqual(expected);
  });

  it.each([
    ['user_ip=0', /user_ip must be a whole number/],
    ['ip=-1', /ip must be a whole number/],
    ['ip=1.5', /ip must be a whole number/],
    ['ip=1e3', /ip must be a whole number/],
    ['ip=1000001', /ip must be a whole number/],
    ['window=seconds=0', /at least one second/],
    ['window=fortnights=1', /window:/],
    ['users=3', /"users=3" is not user_ip=, ip= or window=/],
    ['ip=3,ip=4', /ip is given twice/],
    ['ip=3,', /is not user_ip=/],
  ])('refuses %j', (value, message) => {
    expect(() => parseLoginThrottle(value)).toThrow(message);
  });

  it('stops start-up with a message naming LOGIN_THROTTLE', () => {
    expect(() => loadConfig({ LOGIN_THROTTLE: 'ip=lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOGIN_THROTTLE: 'ip=lots' })).toThrow(/^  LOGIN_THROTTLE: ip must be/m);
    expect(loadConfig({}).loginThrottle).toEqual({ perUserAndIp: 10, perIp: 100, windowMs: 900_000 });
  });
});
