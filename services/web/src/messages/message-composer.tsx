import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { MESSAGE_BODY_MAX, type PublicProfile } from '@parley/contracts';
import { insertMention, mentionQueryAt, mentionSuggestions } from './mention-suggestions';

export interface MessageComposerProps {
  roomName: string;
  onSend(body: string): void;
  onTyping(isTyping: boolean): void;
  /** The room's unsent text, restored when the room is opened again. */
  draft?: string;
  onDraftChange?(text: string): void;
  disabled?: boolean;
  /** Shown above the box while the next message is a reply (the quote, and a way to cancel it). */
  replying?: ReactNode;
  onCancelReply?(): void;
  /** Room members offered after `@` (autocomplete). */
  members?: readonly PublicProfile[];
  selfId?: string;
  /** Accessible name of the box when not "Message <room>" (the thread panel's). */
  label?: string;
}

const COUNTER_FROM = MESSAGE_BODY_MAX - 500;

/**
 * Enter sends, Shift+Enter starts a new line; the box grows with its text (up to a limit, then
 * scrolls); typing is reported (throttled by the controller) and the draft kept per room.
 */
export function MessageComposer({ roomName, onSend, onTyping, draft = '', onDraftChange, disabled, replying, onCancelReply, members, selfId = '', label }: MessageComposerProps) {
  const [body, setBody] = useState(draft);
  const [caret, setCaret] = useState(draft.length);
  const [highlighted, setHighlighted] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const mention = members && members.length > 0 ? mentionQueryAt(body, caret) : null;
  const suggestions = mention && mention.start !== dismissedAt ? mentionSuggestions(mention.query, members ?? [], selfId) : [];
  const choose = (profile: PublicProfile) => {
    if (!mention) return;
    const next = insertMention(body, mention.start, caret, profile.username);
    change(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => input.current?.setSelectionRange(next.caret, next.caret));
    input.current?.focus();
  };
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  // Grow (and shrink) with the text; the style sheet caps the height.
  useLayoutEffect(() => {
    const element = input.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight + element.offsetHeight - element.clientHeight}px`;
  }, [body]);

  // Choosing "Reply" puts the caret in the box.
  const isReplying = Boolean(replying);
  useEffect(() => {
    if (isReplying) input.current?.focus();
  }, [isReplying]);

  const change = (text: string) => {
    setBody(text);
    onDraftChange?.(text);
  };

  const send = () => {
    const text = body.trim();
    if (!text) return;
    if (text.length > MESSAGE_BODY_MAX) {
      setError(`A message can be at most ${MESSAGE_BODY_MAX.toLocaleString()} characters.`);
      return;
    }
    onSend(text);
    change('');
    setError(null);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      const index = Math.min(highlighted, suggestions.length - 1);
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setHighlighted((index + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) {
        event.preventDefault();
        choose(suggestions[index]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissedAt(mention?.start ?? null);
        return;
      }
    }
    if (event.key === 'Escape' && onCancelReply) {
      onCancelReply();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      {replying && (
        <div className="composer-reply" role="group" aria-label="Reply">
          {replying}
          {onCancelReply && (
            <button type="button" className="icon-button" aria-label="Cancel reply" onClick={onCancelReply}>
              ×
            </button>
          )}
        </div>
      )}
      <label htmlFor={id} className="visually-hidden">
        {label ?? `Message ${roomName}`}
      </label>
      {suggestions.length > 0 && (
        <ul className="mention-suggestions" role="listbox" id={`${id}-mentions`} aria-label="Mention someone">
          {suggestions.map((profile, index) => (
            <li
              key={profile.id}
              id={`${id}-mention-${index}`}
              role="option"
              aria-selected={index === Math.min(highlighted, suggestions.length - 1)}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(profile);
              }}
            >
              <span className="mention-name">{profile.displayName ?? profile.username}</span> <span className="mention-username">@{profile.username}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={input}
        id={id}
        rows={1}
        dir="auto"
        value={body}
        placeholder={`Message ${roomName}`}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-autocomplete="list"
        aria-controls={suggestions.length > 0 ? `${id}-mentions` : undefined}
        aria-activedescendant={suggestions.length > 0 ? `${id}-mention-${Math.min(highlighted, suggestions.length - 1)}` : undefined}
        onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          change(event.target.value);
          setCaret(event.target.selectionStart);
          setHighlighted(0);
          onTyping(event.target.value.trim().length > 0);
        }}
        onBlur={() => onTyping(false)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary" disabled={disabled || body.trim().length === 0}>
        Send
      </button>
      {body.length >= COUNTER_FROM && (
        <span className={body.length > MESSAGE_BODY_MAX ? 'composer-counter over' : 'composer-counter'} aria-live="polite">
          {body.length}/{MESSAGE_BODY_MAX}
        </span>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
