import { runService } from '@parley/lifecycle/run-service';
import { loadOperatorConfig } from './config.js';

// Process wiring only (docs/decisions: run-service-and-resource-stack).
await runService({
  name: 'operator',
  loadConfig: loadOperatorConfig,
  build: async (config, { logger, stop }) => {
    const { createOperatorApp } = await import('./app.js');
    return createOperatorApp(config, {
      logger,
      // Lost the Lease while running: shut down and let Kubernetes restart the container clean.
      onLeadershipLost: () => stop('lost the leader-election Lease'),
    });
  },
});
