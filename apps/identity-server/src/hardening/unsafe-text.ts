/**
 * Where, if anywhere, a decoded request value holds text PostgreSQL cannot take: a NUL character
 * (refused in `text`) or an unpaired UTF-16 surrogate (refused in `jsonb` as a `\ud800` escape,
 * silently replaced in `text`). Walks nested objects and arrays without recursion, so a deeply
 * nested JSON body cannot overflow the stack; object keys count as text too.
 * @returns the dotted path of the first bad string (`uid_field`, `a.b[2]`), or null
 */
export function findUnsafeText(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (isUnsafe(current)) return path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push([current[i], `${path}[${i}]`]);
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, inner] of Object.entries(current)) {
        const innerPath = path ? `${path}.${key}` : key;
        if (isUnsafe(key)) return innerPath;
        stack.push([inner, innerPath]);
      }
    }
  }
  return null;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one (code units: no `u` flag).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isUnsafe(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}
