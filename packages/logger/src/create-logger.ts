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
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
