import { runService } from '@parley/lifecycle/run-service';
import { loadUserServiceConfig } from './config.js';

// Process wiring only (docs/decisions: run-service-and-resource-stack).
await runService({
  name: 'user',
  loadConfig: loadUserServiceConfig,
  build: async (config, { logger }) => {
    const { createUserApp } = await import('./app.js');
    return createUserApp(config, { logger });
  },
});
