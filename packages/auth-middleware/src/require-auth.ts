import type { RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthorizedError, UnavailableError } from '@parley/errors';
import type { AccessTokenVerifier, Principal } from './access-token-verifier.js';

/** Extracts `Bearer <token>` from an Authorization header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

/** Rejects requests without a valid access token; stores the principal for handlers. */
export function requireAuth(verifier: AccessTokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) return next(new UnauthorizedError('Missing bearer token'));
    try {
      res.locals.principal = await verifier.verify(token);
      next();
    } catch (error) {
      next(error instanceof UnauthorizedError ? error : new UnavailableError('Cannot verify tokens right now'));
    }
  };
}

/** The authenticated caller of a route behind `requireAuth`. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new UnauthorizedError();
  return principal;
}

export function requireRole(role: Principal['roles'][number]): RequestHandler {
  return (_req, res, next) => {
    next(principalOf(res).roles.includes(role) ? undefined : new ForbiddenError(`Requires the ${role} role`));
  };
}
