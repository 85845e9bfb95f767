import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './apps/identity-server/src/database/data-source-options.js';

/**
 * The TypeORM CLI's data source (migration:show, migration:revert, migration:generate against
 * DATABASE_URL). It shares its options with the server, so both see the same migrations.
 */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp'));
