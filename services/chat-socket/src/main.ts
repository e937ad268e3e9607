import { runService } from '@parley/lifecycle/run-service';
import { loadChatSocketConfig } from './config.js';
import { applyHeapGrowingPercent } from './runtime/heap-growth.js';

// Process wiring only (docs/decisions: run-service-and-resource-stack).
await runService({
  name: 'chat-socket',
  loadConfig: loadChatSocketConfig,
  prepare: (config) => applyHeapGrowingPercent(config.HEAP_GROWING_PERCENT),
  build: async (config, { logger }) => {
    const { createChatSocketApp } = await import('./app.js');
    return createChatSocketApp(config, { logger });
  },
});
