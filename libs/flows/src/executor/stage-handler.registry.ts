import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { StageHandler } from './stage-handler.interface.js';

/**
 * Marks a provider as the handler of one stage type. The registry finds every such provider at
 * start-up through Nest's `DiscoveryService`, in whichever module it is declared; a handler does
 * not register itself.
 */
export const FlowStageHandler = DiscoveryService.createDecorator<void>();

/** Maps stage types to their handlers (the providers marked `@FlowStageHandler()`). */
@Injectable()
export class StageHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, StageHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: FlowStageHandler.KEY })) {
      if (wrapper.instance) this.register(wrapper.instance as StageHandler);
    }
  }

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
