import { Router } from 'express';
import type { SigningKeyStore } from './signing-key-store.js';

export const JWKS_PATHS = ['/.well-known/jwks.json', '/api/v1/auth/.well-known/jwks.json'];

/** Every public key (signing, upcoming and retiring), cacheable briefly so rotations spread fast. */
export function jwksRoutes(keys: SigningKeyStore): Router {
  const router = Router();
  router.get(JWKS_PATHS, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60');
    res.json(keys.jwks());
  });
  return router;
}
