export { installGracefulShutdown, closeHttpServer } from './graceful-shutdown.js';
export type { GracefulShutdown, GracefulShutdownSettings, ShutdownStep } from './graceful-shutdown.js';
export { serveHttpApp } from './serve-http-app.js';
export type { ServableApp, ServeSettings, ServingApp } from './serve-http-app.js';
export { withTimeout } from './with-timeout.js';
