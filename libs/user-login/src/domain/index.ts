export * from './duration.js';
export * from './session-lifetime.js';
export * from './session-binding.js';
export * from './binding-policy.js';
export * from './session-idle.js';
export * from './session-limit.js';
export * from './device-settings.js';
