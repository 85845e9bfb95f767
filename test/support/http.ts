import request from 'supertest';

/** The `name=value` part of a Set-Cookie line for `name`, or undefined. */
export function cookieFrom(response: { headers: Record<string, unknown> }, name: string): string | undefined {
  const line = setCookieLine(response, name);
  return line?.split(';')[0];
}

/** The whole Set-Cookie line for `name`. */
export function setCookieLine(response: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = response.headers['set-cookie'];
  const lines = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return lines.find((line: string) => line.startsWith(`${name}=`));
}

/** A browser-like client: keeps cookies between requests and can pose as another IP via a trusted proxy. */
export class Browser {
  private readonly jar = new Map<string, string>();
  forwardedFor?: string;
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

  constructor(private readonly http: any) {}

  get cookieHeader(): string {
    return [...this.jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.jar.delete(name);
    else this.jar.set(name, value);
  }

  async get(path: string, headers: Record<string, string> = {}) {
    return this.remember(await this.prepare(request(this.http).get(path), headers));
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return this.remember(await this.prepare(request(this.http).post(path), headers).send(body as object));
  }

  async delete(path: string, headers: Record<string, string> = {}) {
    return this.remember(await this.prepare(request(this.http).delete(path), headers));
  }

  private prepare(test: request.Test, headers: Record<string, string>): request.Test {
    if (this.jar.size > 0) test.set('Cookie', this.cookieHeader);
    if (this.forwardedFor) test.set('X-Forwarded-For', this.forwardedFor);
    test.set('User-Agent', this.userAgent);
    for (const [key, value] of Object.entries(headers)) test.set(key, value);
    return test;
  }

  private remember<T extends { headers: Record<string, unknown> }>(response: T): T {
    const raw = response.headers['set-cookie'];
    const lines: string[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...rest] = pair.split('=');
      const value = rest.join('=');
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '';
      if (expired) this.jar.delete(name.trim());
      else this.jar.set(name.trim(), value);
    }
    return response;
  }
}

/** Walks the default authentication flow: identification, password, and (if asked) the prompt. */
export async function login(
  browser: Browser,
  username: string,
  password: string,
  options: { slug?: string; rememberMe?: boolean } = {},
) {
  const path = `/api/v3/flows/executor/${options.slug ?? 'default-authentication-flow'}/`;
  await browser.get(path);
  await browser.post(path, { component: 'ak-stage-identification', uid_field: username });
  let response = await browser.post(path, { component: 'ak-stage-password', password });
  if (response.body.component === 'ak-stage-user-login' && options.rememberMe !== undefined) {
    response = await browser.post(path, { component: 'ak-stage-user-login', remember_me: options.rememberMe });
  }
  return response;
}
