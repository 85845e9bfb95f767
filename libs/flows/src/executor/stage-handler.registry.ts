import { Injectable } from '@nestjs/common';
import type { StageHandler } from './stage-handler.interface.js';

/** Maps stage types to their handlers; modules register theirs at start-up. */
@Injectable()
export class StageHandlerRegistry {
  private readonly handlers = new Map<string, StageHandler>();

  register(handler: StageHandler): void {
    if (this.handlers.has(handler.type))
      throw new Error(`A handler for stage type "${handler.type}" is already registered`);
    this.handlers.set(handler.type, handler);
  }

  get(type: string): StageHandler | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }
}
