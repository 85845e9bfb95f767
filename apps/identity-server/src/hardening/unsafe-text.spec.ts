import { describe, expect, it } from 'vitest';
import { findUnsafeText } from './unsafe-text.js';

describe('findUnsafeText', () => {
  it.each([
    [{ uid_field: 'alice' }, null],
    [{ uid_field: 'Zoë 😀 ✓' }, null],
    [{ uid_field: 'a\u0000b' }, 'uid_field'],
    [{ uid_field: '\ud800' }, 'uid_field'],
    [{ uid_field: 'x\udc00' }, 'uid_field'],
    [{ uid_field: '\ud83d\ude00\ud83d' }, 'uid_field'],
    [{ slug: 'x\u0000' }, 'slug'],
    [{ a: { b: [1, 'ok', 'bad\u0000'] } }, 'a.b[2]'],
    [{ ['key\u0000']: 'value' }, 'key\u0000'],
    [['fine', null, true, 3], null],
    ['\u0000', ''],
    [undefined, null],
  ])('%j gives %j', (value, path) => {
    expect(findUnsafeText(value)).toBe(path);
  });

  it('walks a very deep structure without overflowing the stack', () => {
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(findUnsafeText(deep)).toBe('[0]'.repeat(200_000));
  });
});
