import { performance } from 'node:perf_hooks';
import { int, ms } from '../report/format.js';
import type { Cohort } from '../run/cohort.js';
import { forEachLimited } from '../run/concurrency.js';
import { LatencySamples } from '../run/latency-samples.js';
import type { PlatformApi } from '../run/platform-api.js';
import type { SocketFleet } from '../run/socket-fleet.js';

/**
 * Access tokens live 15 minutes by default: refresh well before, and hand the new token to the
 * user's socket (`auth:refresh`), which the server would close when its token expires.
 */
const TOKEN_REFRESH_MS = 10 * 60_000;

/**
 * The soak's background traffic besides messages: typing indicators, `room:sync` calls (as a
 * reconnecting client makes) and token refreshes, each measured.
 */
export class MixedTraffic {
  private timers: NodeJS.Timeout[] = [];
  private refreshing: Promise<void> | undefined;
  readonly sync = new LatencySamples();
  syncErrors = 0;
  typingSent = 0;
  refreshes = 0;
  refreshErrors = 0;

  constructor(
    private readonly api: PlatformApi,
    private readonly cohort: Cohort,
    private readonly fleet: SocketFleet,
  ) {}

  start(): void {
    const { sockets } = this.fleet;
    const { topology } = this.cohort;
    let typingCursor = 0;
    let syncCursor = 0;
    // About one typing event per user every 20 s, and one room:sync per user every 5 minutes.
    this.timers.push(
      setInterval(() => {
        for (let count = 0; count < Math.ceil(sockets.length / 20); count += 1) {
          const index = typingCursor++ % sockets.length;
          const socket = sockets[index];
          if (!socket?.connected) continue;
          socket.emit('typing', { roomId: topology.roomIds[topology.socketRoom[index]!]!, isTyping: typingCursor % 2 === 0 });
          this.typingSent += 1;
        }
      }, 1_000),
      setInterval(() => {
        for (let count = 0; count < Math.ceil(sockets.length / 300); count += 1) {
          const index = syncCursor++ % sockets.length;
          const socket = sockets[index];
          if (!socket?.connected) continue;
          const startedAt = performance.now();
          socket
            .timeout(10_000)
            .emit('room:sync', { rooms: [{ roomId: topology.roomIds[topology.socketRoom[index]!]!, afterId: null }] }, (error, result) => {
              if (error || !result.ok) this.syncErrors += 1;
              else this.sync.add(performance.now() - startedAt);
            });
        }
      }, 1_000),
      setInterval(() => {
        this.refreshing ??= this.refreshAll().finally(() => (this.refreshing = undefined));
      }, TOKEN_REFRESH_MS),
    );
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.refreshing;
  }

  rows(): string[][] {
    return [
      ['typing events sent', int(this.typingSent)],
      ['room:sync calls (errors)', `${int(this.sync.count)} (${this.syncErrors})`],
      ['room:sync p50 / p99 ms', `${ms(this.sync.percentile(50))} / ${ms(this.sync.percentile(99))}`],
      ['token refreshes (errors)', `${int(this.refreshes)} (${this.refreshErrors})`],
    ];
  }

  private async refreshAll(): Promise<void> {
    await forEachLimited(this.cohort.users.length, 8, async (index) => {
      const user = this.cohort.users[index]!;
      try {
        const session = await this.api.refresh(user.refreshToken);
        user.accessToken = session.accessToken;
        user.refreshToken = session.refreshToken ?? user.refreshToken;
        const socket = this.fleet.sockets[index];
        if (socket?.connected) {
          const handedOver = await socket.timeout(10_000).emitWithAck('auth:refresh', { token: session.accessToken });
          if (!handedOver.ok) throw new Error(handedOver.error.message);
        }
        this.refreshes += 1;
      } catch {
        this.refreshErrors += 1;
      }
    });
  }
}
