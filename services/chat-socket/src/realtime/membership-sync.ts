import type { Redis } from '@parley/redis';
import type { Logger } from '@parley/logger';
import { roomChannel, userChannel } from './channels.js';
import type { RecentMembershipChanges } from './recent-membership-changes.js';
import type { ChatServer, MembershipChange } from './socket-types.js';

/**
 * Makes membership changes effective on every pod before the request that made them returns:
 * each pod moves its local sockets of the affected users in or out of the room's socket.io
 * room (`io.local.in(userChannel(id)).socketsJoin/socketsLeave(roomChannel(roomId))`), waits
 * until its adapter's subscription to the room's channel is in place (a PING behind the
 * adapter's SSUBSCRIBE on the same connection), and acknowledges.
 *
 * `io.in(...).socketsJoin()` alone also reaches every pod through the adapter, but
 * fire-and-forget: a message sent right after could overtake it. A pod that does not answer
 * within the timeout is logged and skipped (it is probably dying; its sockets will reconnect).
 */
export class MembershipSync {
  constructor(
    private readonly io: ChatServer,
    private readonly adapterSubscriber: Redis,
    private readonly logger: Logger,
    /** Where the changes applied here are recorded, for sockets still in their handshake. */
    private readonly recent: RecentMembershipChanges,
    private readonly timeoutMs = 2_000,
  ) {}

  install(): void {
    this.io.on('membership:apply', (change, done) => {
      this.applyLocally(change).then(
        () => done(true),
        (error: unknown) => {
          this.logger.warn({ err: error, roomId: change.roomId }, 'cannot apply a membership change');
          done(false);
        },
      );
    });
  }

  async apply(change: MembershipChange): Promise<void> {
    if (change.join.length === 0 && change.leave.length === 0) return;
    await this.applyLocally(change);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.io.serverSideEmitWithAck('membership:apply', change),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      this.logger.warn({ err: error, roomId: change.roomId }, 'not every pod confirmed a membership change in time');
    } finally {
      clearTimeout(timer);
    }
  }

  private async applyLocally(change: MembershipChange): Promise<void> {
    const room = roomChannel(change.roomId);
    this.recent.record(change);
    for (const userId of change.join) this.io.local.in(userChannel(userId)).socketsJoin(room);
    for (const userId of change.leave) this.io.local.in(userChannel(userId)).socketsLeave(room);
    if (this.adapterSubscriber.status === 'ready') await this.adapterSubscriber.ping();
  }
}
