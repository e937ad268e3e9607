import type { AuthUser } from '@parley/contracts';
import type { CredentialEntity } from './credential.entity.js';

/** The account as shown to its owner. */
export function toAuthUser(credential: CredentialEntity): AuthUser {
  return {
    id: credential.id,
    email: credential.email,
    username: credential.username,
    roles: credential.roles,
    emailVerified: credential.emailVerified,
  };
}
