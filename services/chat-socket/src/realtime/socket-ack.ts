import type { ZodType, z } from 'zod';
import { toAckError, toAppError, validationErrorFrom } from '@parley/errors';
import type { AckError } from '@parley/contracts';
import type { Logger } from '@parley/logger';

type AckCallback<T> = (result: T) => void;

/**
 * Runs a socket event handler with the one error mapping of the platform: a thrown AppError
 * becomes `{ok:false, error}`, anything else `internal` (logged). A client that sent no ack
 * callback (or something else in its place) is answered with silence, never a crash.
 */
export function handleAcked<Schema extends ZodType, Result extends object>(
  logger: Logger,
  schema: Schema,
  handler: (payload: z.infer<Schema>) => Promise<Result>,
) {
  return (payload: unknown, ack?: unknown): void => {
    const reply: AckCallback<({ ok: true } & Result) | AckError> = typeof ack === 'function' ? (ack as AckCallback<({ ok: true } & Result) | AckError>) : () => undefined;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      reply(toAckError(validationErrorFrom(parsed.error, 'The event payload is invalid')));
      return;
    }
    handler(parsed.data).then(
      (result) => reply({ ok: true, ...result }),
      (error: unknown) => {
        if (toAppError(error).code === 'internal') logger.error({ err: error }, 'socket event handler failed');
        reply(toAckError(error));
      },
    );
  };
}
