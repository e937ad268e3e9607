import type { Server } from 'node:http';
import type { Logger } from '@parley/logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface GracefulShutdownSettings {
  logger: Logger;
  timeoutMs: number;
  /** First: stop taking new work (readiness 503, server.close). */
  stopAccepting: ShutdownStep[];
  /** Then, once in-flight work drained or the timeout passed: close pools and connections. */
  closeResources: ShutdownStep[];
  /** For tests: what to do instead of process.exit. */
  exit?: (code: number) => void;
}

export interface GracefulShutdown {
  /** Runs the shutdown once; later calls return the same promise. */
  shutdown(reason: string): Promise<void>;
}

/**
 * SIGTERM/SIGINT (or the parent's IPC channel closing) → stop accepting → drain (bounded) →
 * close resources → exit 0.
 * A second signal exits at once, for an operator who really wants it gone.
 */
export function installGracefulShutdown(settings: GracefulShutdownSettings): GracefulShutdown {
  const exit = settings.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;

  const runSteps = async (steps: ShutdownStep[]) => {
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        settings.logger.warn({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
  };

  const shutdown = (reason: string): Promise<void> => {
    running ??= (async () => {
      settings.logger.info({ reason }, 'shutting down');
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, settings.timeoutMs).unref());
      await Promise.race([runSteps(settings.stopAccepting), deadline]);
      await runSteps(settings.closeResources);
      settings.logger.info('shutdown complete');
      exit(0);
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      settings.logger.warn({ signal }, 'second signal, exiting now');
      exit(1);
      return;
    }
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Started by `npm start` (with an IPC channel): when the launcher dies, even by SIGKILL, the
  // channel closes; stop too instead of running on as an orphan holding ports and queues. A
  // channel already closed by now (the launcher died while this process was starting, say
  // while restarting it) means the same.
  const orphaned = () => void shutdown('the launcher that started this process is gone');
  if (process.connected) process.once('disconnect', orphaned);
  else if (typeof process.send === 'function') orphaned();
  return { shutdown };
}

const IDLE_SWEEP_MS = 50;

/** Stops accepting connections and resolves when in-flight requests have finished. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive sockets with no request in flight would otherwise hold close() open until the
    // keep-alive timeout; that includes those whose request finishes while we drain.
    const idleSweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
    server.close(() => {
      clearInterval(idleSweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
