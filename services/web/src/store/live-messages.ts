import { RoomGapFiller, type Message } from '@parley/contracts';
import type { ChatSocket } from '../connection/socket-client';
import type { ChatAction, ChatState } from './chat-state';
import type { PeopleDirectory } from './people-directory';

const SYNC_TIMEOUT_MS = 10_000;

interface LiveMessagesDeps {
  socket: ChatSocket;
  dispatch: (action: ChatAction) => void;
  getState: () => ChatState;
}

/**
 * Keeps every loaded room complete: each message seen goes through a RoomGapFiller, which asks
 * `room:sync` by sequence for any gap, after every reconnection and when the server says
 * `server:resync`. Also tells listeners of each new message from someone else.
 */
export class LiveMessages {
  readonly gaps: RoomGapFiller;
  private readonly incomingListeners = new Set<(message: Message) => void>();
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deps: LiveMessagesDeps,
    private readonly people: PeopleDirectory,
  ) {
    this.gaps = new RoomGapFiller({
      sync: async (rooms) => {
        const result = await deps.socket.timeout(SYNC_TIMEOUT_MS).emitWithAck('room:sync', { rooms });
        return result.ok ? result.rooms : undefined;
      },
      received: (messages) => this.received(messages),
    });
  }

  /** Messages or timeline events (they take sequence numbers too) from the server: counted, then shown. */
  arrived(messages: Message[]): void {
    this.gaps.observe(messages);
    this.received(messages);
  }

  /** Every new live message from someone else (browser notifications listen). */
  onIncoming(listener: (message: Message) => void): () => void {
    this.incomingListeners.add(listener);
    return () => this.incomingListeners.delete(listener);
  }

  /** This pod's link to the other pods was cut for a while: ask what was missed, spread over `delayMs`. */
  resyncWithin(delayMs: number): void {
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => void this.gaps.resyncAll(), Math.random() * Math.max(0, delayMs));
  }

  resyncAll(): Promise<void> {
    return this.gaps.resyncAll();
  }

  stop(): void {
    clearTimeout(this.resyncTimer);
    this.gaps.close();
  }

  private received(messages: Message[]): void {
    this.deps.dispatch({ type: 'message/received', messages });
    void this.people.ensureProfiles(messages.flatMap((message) => [message.senderId, ...(message.mentions ?? [])]));
    const selfId = this.deps.getState().selfId;
    for (const message of messages) if (message.senderId !== selfId) for (const listener of this.incomingListeners) listener(message);
  }
}
