import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FriendRequestStatus } from '@parley/contracts';

@Entity({ name: 'friend_requests' })
export class FriendRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'from_user_id', type: 'uuid' })
  fromUserId!: string;

  @Column({ name: 'to_user_id', type: 'uuid' })
  toUserId!: string;

  @Column({ type: 'text' })
  status!: FriendRequestStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the request stopped being pending (accepted, rejected or cancelled by a block). */
  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true })
  respondedAt!: Date | null;
}
