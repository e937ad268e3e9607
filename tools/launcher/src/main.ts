import { ConfigError } from '@parley/config';
import { loadLauncherConfig } from './launcher-config.js';
import { launcherError, launcherLog } from './launcher-log.js';
import { startPlatform, type RunningPlatform } from './platform.js';

/** `npm start`: the whole platform on one machine, stopped cleanly by Ctrl-C or SIGTERM. */
async function main(): Promise<void> {
  const config = loadLauncherConfig();
  let platform: RunningPlatform | undefined;
  let stopping = false;

  const stopAndExit = async (code: number) => {
    if (stopping) return;
    stopping = true;
    launcherLog('stopping…');
    await platform?.stop().catch((error: unknown) => launcherError(String(error)));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAndExit(0));
  process.on('SIGTERM', () => void stopAndExit(0));
  // A closed terminal: stop as on Ctrl-C rather than die and leave PostgreSQL running.
  process.on('SIGHUP', () => void stopAndExit(0));

  platform = await startPlatform(config, () => void stopAndExit(1));
  if (stopping) await platform.stop();
}

main().catch((error: unknown) => {
  launcherError(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
