export { startTracing } from './start-tracing.js';
export type { TracingHandle, TracingSettings } from './start-tracing.js';
