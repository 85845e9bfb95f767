import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CLOCK, systemClock, type Clock } from './clock.js';
import { CORE_OPTIONS, DEFAULT_CORE_OPTIONS, type CoreOptions } from './core-options.js';
import { AuditEvent } from './events/event.entity.js';
import { EventRepository } from './events/event.repository.js';
import { EventService } from './events/event.service.js';
import { ApiToken } from './tokens/api-token.entity.js';
import { ApiTokenService } from './tokens/api-token.service.js';
import { UserRepository } from './users/user.repository.js';
import { User } from './users/user.entity.js';
import { Stage } from './stages/stage.entity.js';
import { StageRepository } from './stages/stage.repository.js';

const providers = [EventRepository, EventService, ApiTokenService, UserRepository, StageRepository];

/** Users, events, API tokens and the clock, shared by every other module of the server. */
@Global()
@Module({})
export class CoreModule {
  /** @param clock replaces the system clock (tests move time with it) */
  static forRoot(options: Partial<CoreOptions> = {}, clock: Clock = systemClock): DynamicModule {
    return {
      module: CoreModule,
      imports: [TypeOrmModule.forFeature([User, AuditEvent, ApiToken, Stage])],
      providers: [
        ...providers,
        { provide: CORE_OPTIONS, useValue: { ...DEFAULT_CORE_OPTIONS, ...options } },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [...providers, CORE_OPTIONS, CLOCK, TypeOrmModule],
    };
  }
}
