import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ChatMessage } from './chat-message';
import { reactorSummary } from './reactor-names';

/** What a person can do to a message; each resolves true when the server accepted it. */
export interface MessageActionHandlers {
  edit(message: ChatMessage, body: string): Promise<boolean>;
  remove(message: ChatMessage): Promise<boolean>;
  react(message: ChatMessage, emoji: string, add: boolean): Promise<boolean>;
  /** Starts a reply to the message in the composer. */
  reply?(message: ChatMessage): void;
}

/** The picker's emoji; the server takes any single emoji. */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

interface Props {
  message: ChatMessage;
  own: boolean;
  /** Room owners and admins may delete others' messages. */
  canModerate: boolean;
  selfId: string;
  actions: MessageActionHandlers;
  /** A reactor's shown name (absent: chips say only how many reacted). */
  nameOf?: ((userId: string) => string) | undefined;
  /** The actions are open as a sheet (a long press on a touch screen). */
  sheetOpen?: boolean;
  onSheetClose?(): void;
}

/**
 * Reactions under a message and its actions (react, edit, delete with a confirmation). The
 * server decides what is allowed; this only hides what would be refused anyway.
 */
export function MessageActions({ message, own, canModerate, selfId, actions, nameOf, sheetOpen = false, onSheetClose }: Props) {
  const [mode, setMode] = useState<'idle' | 'picking' | 'editing' | 'confirming'>('idle');
  const [draft, setDraft] = useState(message.body);
  const sheet = useRef<HTMLDivElement>(null);
  const closeSheet = useRef(onSheetClose);
  closeSheet.current = onSheetClose;
  const actionable = message.id !== null && !message.deletedAt;

  useEffect(() => {
    if (!sheetOpen || !actionable) return;
    sheet.current?.querySelector('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeSheet.current?.();
    };
    const onOutside = (event: Event) => {
      if (event.target instanceof Node && !sheet.current?.contains(event.target)) closeSheet.current?.();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onOutside, true);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onOutside, true);
    };
  }, [sheetOpen, actionable]);

  if (!actionable) return null;
  const mine = (emoji: string) => message.reactions?.some((entry) => entry.emoji === emoji && entry.userIds.includes(selfId)) ?? false;
  // Choosing anything in the sheet closes it; editing and confirming continue in the row.
  const choose = (next: typeof mode) => {
    setMode(next);
    if (next !== 'picking') onSheetClose?.();
  };
  const toggle = (emoji: string) => {
    choose('idle');
    void actions.react(message, emoji, !mine(emoji));
  };
  // The sheet goes to the body: the list's rows are transformed, which would pin it to the row.
  const tools = (
    <div
      ref={sheet}
      className={sheetOpen ? 'message-tools message-sheet' : 'message-tools'}
      {...(sheetOpen ? { role: 'dialog', 'aria-label': 'Message actions' } : {})}
    >
      {actions.reply && (
        <button
          type="button"
          className="link-like"
          onClick={() => {
            choose('idle');
            actions.reply?.(message);
          }}
        >
          Reply
        </button>
      )}
      <button type="button" className="link-like" aria-expanded={mode === 'picking'} onClick={() => setMode(mode === 'picking' ? 'idle' : 'picking')}>
        React
      </button>
      {own && (
        <button
          type="button"
          className="link-like"
          onClick={() => {
            setDraft(message.body);
            choose('editing');
          }}
        >
          Edit
        </button>
      )}
      {(own || canModerate) && (
        <button type="button" className="link-like" onClick={() => choose('confirming')}>
          Delete
        </button>
      )}
      {mode === 'picking' && (
        <span className="emoji-picker" role="group" aria-label="Pick a reaction">
          {QUICK_EMOJI.map((emoji) => (
            <button key={emoji} type="button" aria-label={`React with ${emoji}`} aria-pressed={mine(emoji)} onClick={() => toggle(emoji)}>
              {emoji}
            </button>
          ))}
        </span>
      )}
      {sheetOpen && message.body.length > 0 && navigator.clipboard && (
        // Rows refuse text selection on touch screens (the long press opens this sheet instead).
        <button
          type="button"
          className="link-like"
          onClick={() => {
            choose('idle');
            void navigator.clipboard.writeText(message.body).catch(() => undefined);
          }}
        >
          Copy text
        </button>
      )}
      {sheetOpen && (
        <button type="button" className="link-like" onClick={() => onSheetClose?.()}>
          Close
        </button>
      )}
    </div>
  );
  return (
    <div className="message-actions">
      {message.reactions && message.reactions.length > 0 && (
        <ul className="reactions" aria-label="Reactions">
          {message.reactions.map((entry) => {
            const who = nameOf ? reactorSummary(entry.userIds, entry.count, nameOf) : undefined;
            return (
              <li key={entry.emoji}>
                <button
                  type="button"
                  className="reaction"
                  aria-pressed={entry.userIds.includes(selfId)}
                  // The visible "👍 2" starts the name (speech input matches it), then who.
                  aria-label={who ? `${entry.emoji} ${entry.count}: ${who}` : `${entry.emoji} ${entry.count}`}
                  title={who}
                  data-emoji={entry.emoji}
                  onClick={() => toggle(entry.emoji)}
                >
                  {entry.emoji} {entry.count}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {mode === 'editing' ? (
        <form
          className="message-edit"
          onSubmit={(event) => {
            event.preventDefault();
            const body = draft.trim();
            if (body.length === 0 || body === message.body) return setMode('idle');
            void actions.edit(message, body).then((ok) => ok && setMode('idle'));
          }}
        >
          <textarea aria-label="Edit message" value={draft} maxLength={4000} onChange={(event) => setDraft(event.target.value)} />
          <button type="submit">Save</button>
          <button type="button" onClick={() => setMode('idle')}>
            Cancel
          </button>
        </form>
      ) : mode === 'confirming' ? (
        <div className="message-confirm" role="alertdialog" aria-label="Delete this message?">
          <span>Delete this message for everyone?</span>{' '}
          <button type="button" className="danger" onClick={() => void actions.remove(message).then(() => setMode('idle'))}>
            Delete
          </button>{' '}
          <button type="button" onClick={() => setMode('idle')}>
            Cancel
          </button>
        </div>
      ) : sheetOpen ? (
        createPortal(tools, document.body)
      ) : (
        tools
      )}
    </div>
  );
}
