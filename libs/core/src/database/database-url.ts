import { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningPostgres } from './embedded-postgres.js';

/**
 * Returns `DATABASE_URL` when set, else starts the embedded server and returns its URL;
 * `stop` is a no-op for an external server.
 */
export async function resolveDatabase(
  env: NodeJS.ProcessEnv = process.env,
  embedded: EmbeddedPostgresOptions = {},
): Promise<RunningPostgres & { embedded: boolean }> {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    try {
      new URL(url);
    } catch {
      throw new Error('DATABASE_URL is not a valid URL: use the form postgres://user:password@host:5432/database');
    }
    return { url, embedded: false, stop: async () => undefined };
  }
  const running = await startEmbeddedPostgres(embedded);
  return { ...running, embedded: true };
}
