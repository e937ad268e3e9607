import { useChatSelector } from '../store/chat-context';
import { displayNameOf } from '../room-model/room-title';
import { typingText } from './typing-text';

/** "X is typing…" for the open room; entries expire 5 s after the last signal. */
export function TypingIndicator({ roomId }: { roomId: string }) {
  const typers = useChatSelector((state) => state.typing[roomId]);
  const profiles = useChatSelector((state) => state.profiles);
  const names = Object.keys(typers ?? {}).map((userId) => displayNameOf(profiles[userId], userId));
  return (
    <p className="typing-indicator" aria-live="polite">
      {typingText(names)}
    </p>
  );
}
