import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@parley/contracts';
import { CredentialEntity } from './credential.entity.js';

export interface NewCredential {
  id: string;
  email: string;
  username: string;
  passwordHash: string;
}

/** An account's address and whether it is confirmed, at a version (see CredentialEntity.emailVersion). */
export interface EmailState {
  email: string;
  emailVerified: boolean;
  version: number;
}

/** Which of a new account's unique fields are already taken (case-insensitively). */
export interface TakenFields {
  email: boolean;
  username: boolean;
}

export class CredentialRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(CredentialEntity);
  }

  findById(id: string): Promise<CredentialEntity | null> {
    return this.repo().findOneBy({ id });
  }

  findByEmail(email: string): Promise<CredentialEntity | null> {
    return this.repo().findOneBy({ emailLower: email.trim().toLowerCase() });
  }

  /** `login` is an email or a username; they cannot collide since usernames have no `@`. */
  findByLogin(login: string): Promise<CredentialEntity | null> {
    const normalized = login.trim().toLowerCase();
    return this.repo()
      .createQueryBuilder('credential')
      .where('credential.email_lower = :login OR credential.username_lower = :login', { login: normalized })
      .getOne();
  }

  findByUsername(username: string): Promise<CredentialEntity | null> {
    return this.repo().findOneBy({ usernameLower: username.trim().toLowerCase() });
  }

  async takenFields(email: string, username: string): Promise<TakenFields> {
    const rows = await this.repo()
      .createQueryBuilder('credential')
      .select(['credential.emailLower', 'credential.usernameLower'])
      .where('credential.email_lower = :email OR credential.username_lower = :username', {
        email: email.toLowerCase(),
        username: username.toLowerCase(),
      })
      .getMany();
    return {
      email: rows.some((row) => row.emailLower === email.toLowerCase()),
      username: rows.some((row) => row.usernameLower === username.toLowerCase()),
    };
  }

  async insert(manager: EntityManager, credential: NewCredential): Promise<CredentialEntity> {
    const now = new Date();
    const entity = this.repo(manager).create({
      id: credential.id,
      email: credential.email,
      emailLower: credential.email.toLowerCase(),
      username: credential.username,
      usernameLower: credential.username.toLowerCase(),
      passwordHash: credential.passwordHash,
      roles: ['user'],
      emailVerified: false,
      emailVersion: 0,
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await this.repo(manager).insert(entity);
    return entity;
  }

  async updatePasswordHash(id: string, passwordHash: string, manager?: EntityManager): Promise<void> {
    const now = new Date();
    await this.repo(manager).update({ id }, { passwordHash, passwordChangedAt: now, updatedAt: now });
  }

  /** Swaps the hash without counting as a password change (parameters upgraded at login). */
  async rehash(id: string, passwordHash: string): Promise<void> {
    await this.repo().update({ id }, { passwordHash });
  }

  /**
   * Marks the address confirmed and bumps its version; returns the new address state, or
   * undefined when it was confirmed already (nothing changed, nothing to announce).
   */
  async markEmailVerified(id: string, manager?: EntityManager): Promise<EmailState | undefined> {
    const [rows] = (await (manager ?? this.dataSource.manager).query(
      `UPDATE auth.credentials SET email_verified = true, email_version = email_version + 1, updated_at = now()
        WHERE id = $1 AND NOT email_verified
        RETURNING email, email_version`,
      [id],
    )) as [Array<{ email: string; email_version: number }>, number];
    const row = rows[0];
    return row && { email: row.email, emailVerified: true, version: row.email_version };
  }

  /** Adds `role` to the account unless it already has it. */
  async addRole(id: string, role: Role): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth.credentials
          SET roles = array_append(roles, $2::text), updated_at = now()
        WHERE id = $1 AND NOT ($2::text = ANY (roles))`,
      [id, role],
    );
  }
}
