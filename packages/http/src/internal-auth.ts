import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { INTERNAL_TOKEN_HEADER } from '@parley/contracts';
import { UnauthorizedError } from '@parley/errors';

/**
 * Guards `/internal/*` endpoints. They are never routed by the ingress; when a shared secret
 * is configured they also require it, so a compromised pod on the network cannot call them.
 */
export function requireInternalToken(expected: string | undefined): RequestHandler {
  const expectedBuffer = expected ? Buffer.from(expected) : undefined;
  return (req, _res, next) => {
    if (!expectedBuffer) return next();
    const given = Buffer.from(req.get(INTERNAL_TOKEN_HEADER) ?? '');
    if (given.length !== expectedBuffer.length || !timingSafeEqual(given, expectedBuffer)) {
      return next(new UnauthorizedError('Internal endpoint requires the service token'));
    }
    next();
  };
}
