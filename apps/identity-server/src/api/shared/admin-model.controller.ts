import type { EventService } from '@idp/core';
import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import type { ApiCaller } from '../../auth/api-auth.guard.js';
import { Caller } from '../../auth/caller.decorator.js';
import { recordModelEvent, type ModelRef } from './model-api.js';

/**
 * The routes every admin model shares: retrieve, create, replace (PUT), partial update (PATCH)
 * and delete by `:id`, each change followed by its audit event. A subclass adds `@Controller`,
 * the guards and its list route, and says how to find, write, show and name its model.
 */
export abstract class AdminModelController<M> {
  constructor(protected readonly events: EventService) {}

  /** The model named by the path id, or a 404 (also for an id that cannot be one). */
  protected abstract find(id: string): Promise<M>;
  /** Checks and inserts a new model, or throws a 400; returns its id. */
  protected abstract insert(body: unknown): Promise<string>;
  /** Checks and applies a change, or throws a 400; returns the (possibly new) id. */
  protected abstract change(model: M, body: unknown, partial: boolean): Promise<string>;
  protected abstract erase(model: M): Promise<void>;
  protected abstract present(model: M): unknown;
  /** How audit events name the model. */
  protected abstract describe(model: M): ModelRef;

  @Get(':id')
  async get(@Param('id') id: string) {
    return this.present(await this.find(id));
  }

  @Post()
  async create(@Body() body: unknown, @Caller() caller: ApiCaller) {
    return this.finish('model_created', await this.insert(body), caller);
  }

  @Put(':id')
  replace(@Param('id') id: string, @Body() body: unknown, @Caller() caller: ApiCaller) {
    return this.update(id, body, false, caller);
  }

  @Patch(':id')
  patch(@Param('id') id: string, @Body() body: unknown, @Caller() caller: ApiCaller) {
    return this.update(id, body, true, caller);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Caller() caller: ApiCaller): Promise<void> {
    const model = await this.find(id);
    await this.erase(model);
    await recordModelEvent(this.events, 'model_deleted', caller, this.describe(model));
  }

  private async update(id: string, body: unknown, partial: boolean, caller: ApiCaller) {
    return this.finish('model_updated', await this.change(await this.find(id), body, partial), caller);
  }

  /** Reads the model back as stored, so the answer shows what the database holds. */
  private async finish(action: string, id: string, caller: ApiCaller) {
    const model = await this.find(id);
    await recordModelEvent(this.events, action, caller, this.describe(model));
    return this.present(model);
  }
}
