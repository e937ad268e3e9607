import { runService } from '@parley/lifecycle/run-service';
import { loadAuthConfig } from './config.js';

// Process wiring only (docs/decisions: run-service-and-resource-stack).
await runService({
  name: 'auth',
  loadConfig: loadAuthConfig,
  build: async (config, { logger }) => {
    const { createAuthApp } = await import('./app.js');
    return createAuthApp(config, { logger });
  },
});
