import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  /** Where lines go (stdout by default); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** Never written to logs, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  'password',
  'newPassword',
  'refreshToken',
  'accessToken',
  'token',
  'code',
  '*.password',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-parley-internal-token"]',
  'res.headers["set-cookie"]',
];

/** JSON logs with the active trace and span ids, so logs and traces join. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
  return pino(options, settings.destination ?? standardOutput());
}

/**
 * stdout, written synchronously. pino's default (asynchronous) destination flushes on exit in
 * a loop that retries a failed write forever: a service whose stdout reader is gone (the
 * launcher died) hung in `process.exit` and lived on as an orphan. A synchronous write that
 * fails with EPIPE turns logging off instead. Services log little on hot paths (successful
 * requests log at debug), so the write per line costs nothing measurable.
 */
function standardOutput(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}
