import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A symmetric friendship, stored once as an ordered pair (`userLow` < `userHigh`), so the
 * pair's primary key alone keeps it unique whichever side created it.
 */
@Entity({ name: 'friendships' })
export class FriendshipEntity {
  @PrimaryColumn({ name: 'user_low', type: 'uuid' })
  userLow!: string;

  @PrimaryColumn({ name: 'user_high', type: 'uuid' })
  userHigh!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
