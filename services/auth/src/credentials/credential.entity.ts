import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@parley/contracts';

/** A login identity: email, username, password hash and roles. Profiles live in the user service. */
@Entity({ name: 'credentials' })
export class CredentialEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** As typed at registration (shown back to the user). */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  /** Lower-cased, unique: what logins and duplicates are matched on. */
  @Column({ name: 'email_lower', type: 'varchar', length: 254 })
  emailLower!: string;

  @Column({ type: 'varchar', length: 32 })
  username!: string;

  @Column({ name: 'username_lower', type: 'varchar', length: 32 })
  usernameLower!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ name: 'email_verified', type: 'boolean' })
  emailVerified!: boolean;

  /** Bumped by every address change and confirmation: the order of the outbox's `profile.email` messages. */
  @Column({ name: 'email_version', type: 'integer', default: 0 })
  emailVersion!: number;

  @Column({ name: 'password_changed_at', type: 'timestamptz' })
  passwordChangedAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
