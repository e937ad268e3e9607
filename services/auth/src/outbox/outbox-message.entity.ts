import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PROFILE_PROVISION = 'profile.provision';
/** The account is gone: the user service removes its profile, friendships, requests and blocks. */
export const PROFILE_DELETE = 'profile.delete';
/** The account is gone: chat-socket removes its room memberships (its messages stay, shown as a deleted user). */
export const CHAT_MEMBERSHIPS_DELETE = 'chat.memberships.delete';

/**
 * The account's address state changed (confirmed, or a new address): the user service keeps
 * the highest version it has seen, so only confirmed addresses get mention digests.
 */
export const PROFILE_EMAIL = 'profile.email';

/** Payload of a `profile.provision` message: the user service's profile for a new account. */
export interface ProfileProvisionPayload {
  userId: string;
  username: string;
  email: string;
}

/** Payload of the account-deletion messages. */
export interface AccountDeletedPayload {
  userId: string;
}

/** Payload of a `profile.email` message. */
export interface ProfileEmailPayload {
  userId: string;
  email: string;
  emailVerified: boolean;
  version: number;
}

export type OutboxPayload = ProfileProvisionPayload | AccountDeletedPayload | ProfileEmailPayload;

/**
 * A message written in the same transaction as the change it announces, delivered after
 * commit (and retried by the relay until it is), so a new account always gets its profile.
 */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ type: 'jsonb' })
  payload!: OutboxPayload;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
