import { CORE_ENTITIES, CORE_MIGRATIONS, CoreModule } from '@idp/core';
import { USER_LOGIN_ENTITIES, USER_LOGIN_MIGRATIONS, UserLoginModule } from '@idp/user-login';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HostController } from './host.controller.js';

const schema = process.env.DATABASE_SCHEMA;

/** A Nest app of its own: the two packages as npm installed them, Express, no @nestjs/config. */
@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      // The migrations create their tables unqualified: the search_path puts them in the schema.
      ...(schema ? { schema, extra: { options: `-c search_path=${schema}` } } : {}),
      entities: [...CORE_ENTITIES, ...USER_LOGIN_ENTITIES],
      migrations: [...CORE_MIGRATIONS, ...USER_LOGIN_MIGRATIONS],
      // main.ts runs them itself, to print what ran.
      migrationsRun: false,
      synchronize: false,
    }),
    CoreModule.forRoot({}),
    UserLoginModule.forRoot({ cookieName: 'outside_session' }),
  ],
  controllers: [HostController],
})
export class AppModule {}
