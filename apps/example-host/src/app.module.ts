import { CORE_ENTITIES, CORE_MIGRATIONS, CoreModule } from '@idp/core';
import { SessionBindingGuard, USER_LOGIN_ENTITIES, USER_LOGIN_MIGRATIONS, UserLoginModule } from '@idp/user-login';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HostController } from './host.controller.js';

function schemaOptions(schema: string | undefined) {
  return schema ? { schema, extra: { options: `-c search_path=${schema}` } } : {};
}

// readme:start app.module.ts
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'postgres',
        url: config.getOrThrow<string>('DATABASE_URL'),
        // Optional: keep the tables in a schema of their own (the migrations create them unqualified).
        ...schemaOptions(config.get<string>('DATABASE_SCHEMA')),
        entities: [...CORE_ENTITIES, ...USER_LOGIN_ENTITIES],
        migrations: [...CORE_MIGRATIONS, ...USER_LOGIN_MIGRATIONS],
        migrationsRun: true,
        synchronize: false,
      }),
    }),
    CoreModule.forRoot({}),
    UserLoginModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        geoipAsnDb: config.get<string>('GEOIP_ASN_DB'),
        geoipCityDb: config.get<string>('GEOIP_CITY_DB'),
        cookieName: config.get<string>('SESSION_COOKIE_NAME', 'host_session'),
      }),
    }),
  ],
  controllers: [HostController],
  // Every route needs a live session whose binding holds, unless it is marked @Public().
  providers: [{ provide: APP_GUARD, useExisting: SessionBindingGuard }],
})
export class AppModule {}
// readme:end
