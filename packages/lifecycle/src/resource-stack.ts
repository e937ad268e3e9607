import type { Logger } from '@parley/logger';
import { withTimeout } from './with-timeout.js';

/** How long one close may take before it is abandoned, unless its registration says otherwise. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

export type CloseFunction = () => Promise<unknown> | unknown;

export interface CloseOptions {
  /** Abandon this close after so long (the others still run). */
  timeoutMs?: number;
}

export type CloseOutcome = 'closed' | 'failed' | 'timed-out';

export interface ClosedResource {
  name: string;
  outcome: CloseOutcome;
  durationMs: number;
}

export interface ResourceStackSettings {
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Per close, when its registration gives none (5 s by default). */
  defaultTimeoutMs?: number;
}

export interface ResourceStack {
  /**
   * Registers how to close something just created, right after creating it. Closes run in the
   * reverse order of registration, so what was built on top of a resource closes before it.
   * Registered after close() started, it is closed at once (nothing created late is leaked).
   */
  add(name: string, close: CloseFunction, options?: CloseOptions): void;
  /**
   * Closes everything, last registered first, one at a time: each close is bounded by its
   * timeout, a failing or hanging one is logged and the next one runs. Later calls return the
   * same promise; it never rejects.
   */
  close(): Promise<ClosedResource[]>;
  /** True once close() was called. */
  readonly closing: boolean;
}

interface Entry {
  name: string;
  close: CloseFunction;
  timeoutMs: number;
}

/** One stack of closes per process or app: see docs/decisions (run-service-and-resource-stack). */
export function createResourceStack(settings: ResourceStackSettings): ResourceStack {
  const defaultTimeoutMs = settings.defaultTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const entries: Entry[] = [];
  let closing: Promise<ClosedResource[]> | undefined;

  const closeOne = async (entry: Entry): Promise<ClosedResource> => {
    const started = performance.now();
    let outcome: CloseOutcome = 'closed';
    try {
      // Called inside the promise chain, so a close that throws synchronously is a failure too.
      await withTimeout(Promise.resolve().then(entry.close), entry.timeoutMs);
    } catch (error) {
      outcome = error instanceof Error && error.message === 'timed out' ? 'timed-out' : 'failed';
      const fields = { resource: entry.name, timeoutMs: entry.timeoutMs, ...(outcome === 'failed' ? { err: error } : {}) };
      settings.logger.warn(fields, outcome === 'timed-out' ? 'close timed out; abandoned' : 'close failed');
    }
    const durationMs = Math.round(performance.now() - started);
    settings.logger.info({ resource: entry.name, outcome, durationMs }, 'resource closed');
    return { name: entry.name, outcome, durationMs };
  };

  return {
    add(name, close, options = {}) {
      const entry = { name, close, timeoutMs: options.timeoutMs ?? defaultTimeoutMs };
      if (closing) void closeOne(entry);
      else entries.push(entry);
    },
    close() {
      closing ??= (async () => {
        const closed: ClosedResource[] = [];
        for (const entry of entries.splice(0).reverse()) closed.push(await closeOne(entry));
        return closed;
      })();
      return closing;
    },
    get closing() {
      return closing !== undefined;
    },
  };
}
