import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './database-unavailable.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', coded('ECONNRESET')],
    ['an unknown host', coded('ENOTFOUND')],
    ['a connection exception (class 08)', coded('08006')],
    ['an administrator shutdown', coded('57P01', 'terminating connection due to administrator command')],
    ['a server starting up', coded('57P03', 'the database system is starting up')],
    ['too many connections', coded('53300')],
    ['a statement timeout', coded('57014', 'canceling statement due to statement timeout')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a client-side query timeout', new Error('Query read timeout')],
    ['a broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['TypeORM wrapping a driver error', Object.assign(new Error('x'), { driverError: coded('ECONNRESET') })],
    ['a cause', new Error('x', { cause: new Error('Connection terminated') })],
    ['one of several addresses', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], '')],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a syntax error', coded('42601', 'syntax error at or near "x"')],
    ['a unique violation', coded('23505')],
    ['an out-of-range integer', coded('22003', 'value "2147483648" is out of range for type integer')],
    ['a NUL in text', coded('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['a plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
