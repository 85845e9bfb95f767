export * from './duration.js';
export * from './session-lifetime.js';
export * from './session-binding.js';
