import type { DataSource } from 'typeorm';
import { CredentialRepository } from '../credentials/credential-repository.js';

export type GrantAdminResult =
  | { status: 'granted' | 'already_admin'; userId: string; username: string }
  | { status: 'not_found'; username: string };

/**
 * Gives the account named `username` (case-insensitive) the admin role. The role appears in
 * its access tokens from the next login or refresh.
 */
export async function grantAdmin(dataSource: DataSource, username: string): Promise<GrantAdminResult> {
  const credentials = new CredentialRepository(dataSource);
  const credential = await credentials.findByUsername(username);
  if (!credential) return { status: 'not_found', username };
  if (credential.roles.includes('admin')) {
    return { status: 'already_admin', userId: credential.id, username: credential.username };
  }
  await credentials.addRole(credential.id, 'admin');
  return { status: 'granted', userId: credential.id, username: credential.username };
}
