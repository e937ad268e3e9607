import type { DataSource } from 'typeorm';
import type { SessionRevocationWriter } from '@parley/auth-middleware';
import { CredentialRepository } from '../credentials/credential-repository.js';

export type GrantAdminResult =
  | { status: 'granted' | 'already_admin'; userId: string; username: string }
  | { status: 'not_found'; username: string };

/**
 * Gives the account named `username` (case-insensitive) the admin role. Access tokens issued
 * before are refused from now on (their roles are stale), so clients refresh and get the role.
 */
export async function grantAdmin(dataSource: DataSource, sessions: SessionRevocationWriter, username: string): Promise<GrantAdminResult> {
  const credentials = new CredentialRepository(dataSource);
  const credential = await credentials.findByUsername(username);
  if (!credential) return { status: 'not_found', username };
  if (credential.roles.includes('admin')) {
    return { status: 'already_admin', userId: credential.id, username: credential.username };
  }
  await credentials.addRole(credential.id, 'admin');
  await sessions.revokeUserSessions(credential.id, 'role-change');
  return { status: 'granted', userId: credential.id, username: credential.username };
}
