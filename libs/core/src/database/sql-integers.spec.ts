import { describe, expect, it } from 'vitest';
import { isSqlInteger, pageWindow } from './sql-integers.js';

describe('isSqlInteger', () => {
  it.each([
    [1, true],
    [2_147_483_647, true],
    [-2_147_483_648, true],
    [2_147_483_648, false],
    [1.5, false],
    [Number.NaN, false],
    [Infinity, false],
    [1e21, false],
    ['1', false],
  ])('%s is %s', (value, expected) => {
    expect(isSqlInteger(value)).toBe(expected);
  });
});

describe('pageWindow', () => {
  it('passes whole numbers in range through', () => {
    expect(pageWindow({ offset: 0, limit: 20 })).toEqual({ offset: 0, limit: 20 });
    expect(pageWindow({ offset: 214_748_364_600, limit: 100 })).toEqual({ offset: 214_748_364_600, limit: 100 });
  });

  it.each([
    [{ offset: -1, limit: 20 }],
    [{ offset: 1e21, limit: 20 }],
    [{ offset: Infinity, limit: 20 }],
    [{ offset: 1.5, limit: 20 }],
    [{ offset: 2 ** 53, limit: 20 }],
    [{ offset: 0, limit: 0 }],
    [{ offset: 0, limit: 1001 }],
    [{ offset: 0, limit: Number.NaN }],
  ])('refuses %j', (window) => {
    expect(() => pageWindow(window)).toThrow(RangeError);
  });
});
