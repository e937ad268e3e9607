import { runService } from '@parley/lifecycle/run-service';
import { loadWebConfig } from './config.js';

// Process wiring only (docs/decisions: run-service-and-resource-stack).
await runService({
  name: 'web',
  loadConfig: loadWebConfig,
  build: async (config, { logger }) => {
    const { createWebApp } = await import('./app.js');
    return createWebApp(config, { logger });
  },
});
