import { CORE_ENTITIES, CORE_MIGRATIONS } from '@idp/core';
import { FLOWS_ENTITIES, FLOWS_MIGRATIONS } from '@idp/flows';
import { USER_LOGIN_ENTITIES, USER_LOGIN_MIGRATIONS } from '@idp/user-login';
import type { DataSourceOptions } from 'typeorm';

/** How long a request may wait for a pooled connection (or a new one) before it is answered 503. */
export const DATABASE_CONNECT_TIMEOUT_MS = 5_000;
/** How long one query may go unanswered, e.g. across a network partition, before it fails (then 503). */
export const DATABASE_QUERY_TIMEOUT_MS = 15_000;

/**
 * The one TypeORM configuration, shared by the server and the CLI data source: every library's
 * entities and migrations; the schema is only ever changed by migrations.
 */
export function dataSourceOptions(url: string, schema?: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [...CORE_ENTITIES, ...FLOWS_ENTITIES, ...USER_LOGIN_ENTITIES],
    migrations: [...CORE_MIGRATIONS, ...FLOWS_MIGRATIONS, ...USER_LOGIN_MIGRATIONS],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Bounded waits: with the database gone, requests fail fast (503) instead of hanging.
    connectTimeoutMS: DATABASE_CONNECT_TIMEOUT_MS,
    ...(schema ? { schema } : {}),
    extra: {
      query_timeout: DATABASE_QUERY_TIMEOUT_MS,
      keepAlive: true,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    },
  };
}
