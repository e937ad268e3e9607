import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Column types are explicit: decorator metadata is not emitted (see tsconfig.base.json). */
@Entity({ name: 'rooms', schema: 'chat' })
export class RoomEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) kind!: 'direct' | 'group';
  @Column({ type: 'text', nullable: true }) name!: string | null;
  @Column({ type: 'text', name: 'name_lower', nullable: true }) nameLower!: string | null;
  @Column({ type: 'text' }) visibility!: 'private' | 'public';
  @Column({ type: 'uuid', name: 'created_by' }) createdBy!: string;
  @Column({ type: 'text', name: 'direct_key', nullable: true }) directKey!: string | null;
  @Column({ type: 'integer', name: 'member_count' }) memberCount!: number;
  @Column({ type: 'bigint', name: 'last_message_id', nullable: true }) lastMessageId!: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'last_activity_at' }) lastActivityAt!: Date;
  @Column({ type: 'text', nullable: true }) topic!: string | null;
  @Column({ type: 'text', name: 'avatar_url', nullable: true }) avatarUrl!: string | null;
}

@Entity({ name: 'room_members', schema: 'chat' })
export class RoomMemberEntity {
  @PrimaryColumn({ type: 'uuid', name: 'room_id' }) roomId!: string;
  @PrimaryColumn({ type: 'uuid', name: 'user_id' }) userId!: string;
  @Column({ type: 'text' }) role!: 'owner' | 'admin' | 'member';
  @Column({ type: 'timestamptz', name: 'joined_at' }) joinedAt!: Date;
  @Column({ type: 'bigint', name: 'last_read_message_id', nullable: true }) lastReadMessageId!: string | null;
  @Column({ type: 'boolean' }) muted!: boolean;
}

@Entity({ name: 'messages', schema: 'chat' })
export class MessageEntity {
  /** bigint comes back from pg as a string, which is what the API wants anyway. */
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'uuid', name: 'room_id' }) roomId!: string;
  /** The room's sequence number (unique per room), assigned at acceptance. */
  @Column({ type: 'bigint' }) seq!: string;
  @Column({ type: 'uuid', name: 'sender_id' }) senderId!: string;
  @Column({ type: 'uuid', name: 'client_msg_id' }) clientMsgId!: string;
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'persisted_at' }) persistedAt!: Date;
}

@Entity({ name: 'notifications', schema: 'chat' })
export class NotificationEntity {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'uuid', name: 'user_id' }) userId!: string;
  @Column({ type: 'text' }) kind!: 'message' | 'friend_request' | 'friend_accepted' | 'mention';
  @Column({ type: 'uuid', name: 'room_id', nullable: true }) roomId!: string | null;
  @Column({ type: 'uuid', name: 'from_user_id', nullable: true }) fromUserId!: string | null;
  @Column({ type: 'bigint', name: 'last_message_id', nullable: true }) lastMessageId!: string | null;
  @Column({ type: 'integer', name: 'message_count' }) messageCount!: number;
  @Column({ type: 'uuid', name: 'friend_request_id', nullable: true }) friendRequestId!: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'seen_at', nullable: true }) seenAt!: Date | null;
}

/** A line of a room's timeline: membership and settings changes. */
@Entity({ name: 'room_events', schema: 'chat' })
export class RoomEventEntity {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'uuid', name: 'room_id' }) roomId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'uuid', name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column({ type: 'uuid', name: 'user_id', nullable: true }) userId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) data!: Record<string, unknown> | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}

/** An invite link of a private room; the token itself is never stored. */
@Entity({ name: 'room_invites', schema: 'chat' })
export class RoomInviteEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'uuid', name: 'room_id' }) roomId!: string;
  @Column({ type: 'bytea', name: 'token_hash' }) tokenHash!: Buffer;
  @Column({ type: 'uuid', name: 'created_by' }) createdBy!: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt!: Date;
  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column({ type: 'integer' }) uses!: number;
}

export const CHAT_ENTITIES = [RoomEntity, RoomMemberEntity, MessageEntity, NotificationEntity, RoomEventEntity, RoomInviteEntity];
