import { CORE_ENTITIES, CORE_MIGRATIONS } from '@idp/core';
import { FLOWS_ENTITIES, FLOWS_MIGRATIONS } from '@idp/flows';
import { USER_LOGIN_ENTITIES, USER_LOGIN_MIGRATIONS } from '@idp/user-login';
import type { DataSourceOptions } from 'typeorm';

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
    ...(schema ? { schema, extra: { options: `-c search_path=${schema}` } } : {}),
  };
}
