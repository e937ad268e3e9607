import type { LoadOptions } from './cli-options.js';
import { runAuthBurstScenario } from './scenarios/auth-burst-scenario.js';
import { runConnectStormScenario } from './scenarios/connect-storm-scenario.js';
import { runFanoutScenario } from './scenarios/fanout-scenario.js';
import type { ScenarioOutput } from './scenarios/scenario-output.js';

/** Runs one scenario; resolves with its summary (`ok` false when a check failed). */
export async function runLoad(options: LoadOptions, output: ScenarioOutput, signal?: AbortSignal): Promise<{ ok: boolean }> {
  switch (options.scenario) {
    case 'fanout':
    case 'soak':
      return runFanoutScenario(options, output, signal);
    case 'connect-storm':
      return runConnectStormScenario(options, output) as Promise<{ ok: boolean }>;
    case 'auth-burst':
      return runAuthBurstScenario(options, output) as Promise<{ ok: boolean }>;
  }
}
