import { useState } from 'react';
import type { ChatMessage } from './chat-message';

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
}

/**
 * Reactions under a message and its actions (react, edit, delete with a confirmation). The
 * server decides what is allowed; this only hides what would be refused anyway.
 */
export function MessageActions({ message, own, canModerate, selfId, actions }: Props) {
  const [mode, setMode] = useState<'idle' | 'picking' | 'editing' | 'confirming'>('idle');
  const [draft, setDraft] = useState(message.body);
  if (message.id === null || message.deletedAt) return null;
  const mine = (emoji: string) => message.reactions?.some((entry) => entry.emoji === emoji && entry.userIds.includes(selfId)) ?? false;
  const toggle = (emoji: string) => {
    setMode('idle');
    void actions.react(message, emoji, !mine(emoji));
  };
  return (
    <div className="message-actions">
      {message.reactions && message.reactions.length > 0 && (
        <ul className="reactions" aria-label="Reactions">
          {message.reactions.map((entry) => (
            <li key={entry.emoji}>
              <button
                type="button"
                className="reaction"
                aria-pressed={entry.userIds.includes(selfId)}
                aria-label={`${entry.emoji} ${entry.count}`}
                data-emoji={entry.emoji}
                onClick={() => toggle(entry.emoji)}
              >
                {entry.emoji} {entry.count}
              </button>
            </li>
          ))}
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
      ) : (
        <div className="message-tools">
          {actions.reply && (
            <button type="button" className="link-like" onClick={() => actions.reply?.(message)}>
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
                setMode('editing');
              }}
            >
              Edit
            </button>
          )}
          {(own || canModerate) && (
            <button type="button" className="link-like" onClick={() => setMode('confirming')}>
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
        </div>
      )}
    </div>
  );
}
