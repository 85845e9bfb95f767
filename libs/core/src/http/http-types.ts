/**
 * The parts of a request both Nest adapters (Express and Fastify) expose under the same names.
 * The modules read requests only through this shape, so they stay adapter-agnostic.
 */
export interface HttpRequestLike {
  method: string;
  url: string;
  /** Express keeps the original URL here when routers rewrite `url`. */
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  /** The client address after the adapter applied its trust-proxy rules. */
  ip?: string;
  protocol?: string;
  socket?: { remoteAddress?: string };
}

/** The response methods Express responses and Fastify replies share. */
export interface HttpResponseLike {
  getHeader(name: string): unknown;
  removeHeader(name: string): unknown;
}
