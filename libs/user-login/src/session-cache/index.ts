export * from './session-activity.writer.js';
export * from './session-cache.js';
export * from './session-invalidation.listener.js';
export * from './session-lookup.js';
