import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's public identity in Parley. `id` is the auth service's user id. */
@Entity({ name: 'profiles' })
export class ProfileEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  /** lower(username): unique, and the key of prefix search and of search pagination. */
  @Column({ name: 'username_lower', type: 'text' })
  usernameLower!: string;

  /** Null until the auth service provisions the profile (a lazily created one has no email yet). */
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ name: 'email_lower', type: 'text', nullable: true })
  emailLower!: string | null;

  /** Confirmed with the auth service's code; only a confirmed address gets mention digests. */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  /** The auth service's version of the address state last applied (0: as provisioned). */
  @Column({ name: 'email_version', type: 'integer', default: 0 })
  emailVersion!: number;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ type: 'text', nullable: true })
  bio!: string | null;

  @Column({ name: 'avatar_url', type: 'text', nullable: true })
  avatarUrl!: string | null;

  /** Mentions received while offline are mailed as a digest. */
  @Column({ name: 'mention_digest', type: 'boolean', default: true })
  mentionDigest!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
