/** Runs the default authentication flow over HTTP and returns the `idp_session=...` cookie pair. */
export async function flowLogin(
  baseUrl: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const flow = `${baseUrl}/api/v3/flows/executor/default-authentication-flow/`;
  let cookie = '';
  const call = async (body?: object) => {
    const response = await fetch(flow, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const name = pair.split('=')[0];
      cookie = [...cookie.split('; ').filter((c) => c && !c.startsWith(`${name}=`)), pair].join('; ');
    }
    return (await response.json()) as { component?: string };
  };
  await call();
  await call({ uid_field: username });
  const done = await call({ password });
  if (done.component !== 'xak-flow-redirect') throw new Error(`login failed: ${JSON.stringify(done)}`);
  const session = cookie.split('; ').find((c) => /^(__Host-)?idp_session=/.test(c));
  if (!session) throw new Error('the login set no session cookie');
  return session;
}

/** Logs in to the express-session baseline app and returns its `connect.sid=...` cookie pair. */
export async function baselineLogin(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pk: 1, username: 'akadmin' }),
  });
  const pair = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .find((c) => c.startsWith('connect.sid='));
  if (response.status !== 204 || !pair) throw new Error(`baseline login failed: ${response.status}`);
  return pair;
}
