import type { EventService } from '@idp/core';
import {
  Body,
  createParamDecorator,
  Delete,
  Get,
  HttpCode,
  Injectable,
  Patch,
  Post,
  Put,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import type { ApiCaller } from '../../auth/api-auth.guard.js';
import { Caller } from '../../auth/caller.decorator.js';
import { recordModelEvent, type ModelRef } from './model-api.js';

/** The body classes of one admin model. */
export interface ModelDtos<C, U> {
  /** The create/PUT body. */
  create: Type<C>;
  /** The PATCH body, usually `PartialType` of the create body. */
  update: Type<U>;
}

const FOUND = 'idpFoundModel';

/** What {@link FindModelFirst} calls on the controller. */
interface ModelFinder {
  findForRoute(id: string): Promise<unknown>;
}

/**
 * Looks up the model a `:id` route names before anything else runs. Interceptors run before
 * pipes, so an id that names nothing is a 404 even when the body would also be a 400.
 */
@Injectable()
class FindModelFirst implements NestInterceptor {
  constructor(private readonly moduleRef: ModuleRef) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const controller = this.moduleRef.get<ModelFinder>(context.getClass(), { strict: false });
    const request = context.switchToHttp().getRequest<{ params: { id: string }; [FOUND]?: unknown }>();
    request[FOUND] = await controller.findForRoute(request.params.id);
    return next.handle();
  }
}

/** The model {@link FindModelFirst} found. */
const FoundModel = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest()[FOUND],
);

/**
 * The routes every admin model shares: retrieve, create, replace (PUT), partial update (PATCH)
 * and delete by `:id`, each change followed by its audit event. Bodies arrive as validated DTOs
 * (the global `ApiValidationPipe`). A subclass adds `@Controller`, the guards and its list
 * route, and says how to find, write, show and name its model.
 */
export function AdminModelController<M, C extends object, U extends object>(dtos: ModelDtos<C, U>) {
  abstract class AdminModelControllerBase implements ModelFinder {
    constructor(protected readonly events: EventService) {}

    /** The model named by the path id, or a 404 (also for an id that cannot be one). */
    protected abstract find(id: string): Promise<M>;
    /** Checks what needs the database and inserts a new model, or throws a 400; returns its id. */
    protected abstract insert(body: C): Promise<string>;
    /** Checks and applies a change (PUT sends a full body, PATCH a partial one); returns the (possibly new) id. */
    protected abstract change(model: M, body: C | U): Promise<string>;
    protected abstract erase(model: M): Promise<void>;
    protected abstract present(model: M): unknown;
    /** How audit events name the model. */
    protected abstract describe(model: M): ModelRef;

    findForRoute(id: string): Promise<M> {
      return this.find(id);
    }

    @Get(':id')
    @UseInterceptors(FindModelFirst)
    @ApiParam({ name: 'id' })
    @ApiOkResponse({ type: dtos.create })
    get(@FoundModel() model: M) {
      return this.present(model);
    }

    @Post()
    @ApiCreatedResponse({ type: dtos.create })
    async create(@Body() body: C, @Caller() caller: ApiCaller) {
      return this.finish('model_created', await this.insert(body), caller);
    }

    @Put(':id')
    @UseInterceptors(FindModelFirst)
    @ApiParam({ name: 'id' })
    @ApiOkResponse({ type: dtos.create, description: 'Unsent optional fields keep their values.' })
    async replace(@FoundModel() model: M, @Body() body: C, @Caller() caller: ApiCaller) {
      return this.finish('model_updated', await this.change(model, body), caller);
    }

    @Patch(':id')
    @UseInterceptors(FindModelFirst)
    @ApiParam({ name: 'id' })
    @ApiOkResponse({ type: dtos.create })
    async patch(@FoundModel() model: M, @Body() body: U, @Caller() caller: ApiCaller) {
      return this.finish('model_updated', await this.change(model, body), caller);
    }

    @Delete(':id')
    @HttpCode(204)
    @UseInterceptors(FindModelFirst)
    @ApiParam({ name: 'id' })
    @ApiNoContentResponse()
    async remove(@FoundModel() model: M, @Caller() caller: ApiCaller): Promise<void> {
      await this.erase(model);
      await recordModelEvent(this.events, 'model_deleted', caller, this.describe(model));
    }

    /** Reads the model back as stored, so the answer shows what the database holds. */
    private async finish(action: string, id: string, caller: ApiCaller) {
      const model = await this.find(id);
      await recordModelEvent(this.events, action, caller, this.describe(model));
      return this.present(model);
    }
  }
  // A type parameter erases to Object in the emitted metadata, which the ValidationPipe would not
  // check and Swagger could not describe: name the body classes where Nest reads them.
  const prototype = AdminModelControllerBase.prototype;
  Reflect.defineMetadata('design:paramtypes', [dtos.create, Object], prototype, 'create');
  Reflect.defineMetadata('design:paramtypes', [Object, dtos.create, Object], prototype, 'replace');
  Reflect.defineMetadata('design:paramtypes', [Object, dtos.update, Object], prototype, 'patch');
  return AdminModelControllerBase;
}
