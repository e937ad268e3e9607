export { installGracefulShutdown, closeHttpServer } from './graceful-shutdown.js';
export type { GracefulShutdown, GracefulShutdownSettings, ShutdownStep } from './graceful-shutdown.js';
export { createResourceStack, DEFAULT_CLOSE_TIMEOUT_MS } from './resource-stack.js';
export type { CloseFunction, CloseOptions, CloseOutcome, ClosedResource, ResourceStack, ResourceStackSettings } from './resource-stack.js';
// runService is also its own entry point (`@parley/lifecycle/run-service`): main.ts imports it
// before tracing starts, and this index loads node:http.
export { runService } from './run-service.js';
export type { RunServiceConfig, RunServiceSettings, ServiceContext } from './run-service.js';
export { installShutdown, listenBeforeServing, serveHttpApp } from './serve-http-app.js';
export type { ListeningPorts, ListenSettings, ServableApp, ServeSettings, ServingApp } from './serve-http-app.js';
export { startingHandler } from './starting-handler.js';
export { withTimeout } from './with-timeout.js';
