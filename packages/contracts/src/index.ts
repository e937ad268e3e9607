export * from './errors.js';
export * from './common.js';
export * from './auth.js';
export * from './users.js';
export * from './internal.js';
export * from './jobs.js';
