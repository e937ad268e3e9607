import type { ChatMessage } from './chat-message';
import { compareMessageIds } from './chat-message';

export type TickState = 'queued' | 'pending' | 'sent' | 'read' | 'failed';

/** Where an own message stands: waiting for the connection, sending, acknowledged, read by another member, or refused. */
export function tickState(message: ChatMessage, readByOthersUpTo: string | null): TickState {
  if (message.state === 'failed') return 'failed';
  if (message.state === 'queued') return 'queued';
  if (message.state === 'pending' || message.id === null) return 'pending';
  return readByOthersUpTo && compareMessageIds(message.id, readByOthersUpTo) <= 0 ? 'read' : 'sent';
}

const LABELS: Record<Exclude<TickState, 'failed'>, { symbol: string; label: string }> = {
  queued: { symbol: '🕓', label: 'Waiting for the connection' },
  pending: { symbol: '🕓', label: 'Sending' },
  sent: { symbol: '✓', label: 'Sent' },
  read: { symbol: '✓✓', label: 'Read' },
};

export function DeliveryTicks({ state }: { state: Exclude<TickState, 'failed'> }) {
  const { symbol, label } = LABELS[state];
  return (
    <span className={`ticks ticks-${state}`} data-delivery={state} role="img" aria-label={label} title={label}>
      {symbol}
    </span>
  );
}
