import proxyAddr from '@fastify/proxy-addr';

const MAX_REMEMBERED = 10_000;

/** Is `address` (the socket peer, or hop `hop` of `X-Forwarded-For`) a trusted proxy? */
export type TrustedProxies = (address: string | undefined, hop?: number) => boolean;

/**
 * The one test of `TRUSTED_PROXY_CIDRS` that everything asks: both HTTP adapters (as Fastify's
 * `trustProxy` and Express's `trust proxy`, which decide the client IP from `X-Forwarded-For`),
 * the browser rules (`X-Forwarded-Proto` / `-Host`) and the request id. The rules are proxy-addr's,
 * the adapters' own, so the answers cannot drift apart; what is added is memory. proxy-addr parses
 * the address on every call, a few microseconds on every request, while the peers asking are few
 * (the proxies themselves): answers are remembered per address, in a table emptied when full.
 */
export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  const trust = proxyAddr.compile([...cidrs]);
  const known = new Map<string, boolean>();
  return (address, hop = 0) => {
    if (!address) return false;
    let answer = known.get(address);
    if (answer === undefined) {
      if (known.size >= MAX_REMEMBERED) known.clear();
      answer = trust(address, hop);
      known.set(address, answer);
    }
    return answer;
  };
}
