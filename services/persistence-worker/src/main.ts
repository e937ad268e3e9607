import { runService } from '@parley/lifecycle/run-service';
import { loadPersistenceWorkerConfig } from './config.js';

// Process wiring only (docs/decisions: run-service-and-resource-stack).
await runService({
  name: 'persistence-worker',
  loadConfig: loadPersistenceWorkerConfig,
  build: async (config, { logger }) => {
    const { createPersistenceWorkerApp } = await import('./app.js');
    return createPersistenceWorkerApp(config, logger);
  },
});
