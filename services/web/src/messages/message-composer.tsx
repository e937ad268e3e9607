import { useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_BODY_MAX } from '@parley/contracts';

export interface MessageComposerProps {
  roomName: string;
  onSend(body: string): void;
  onTyping(isTyping: boolean): void;
  /** The room's unsent text, restored when the room is opened again. */
  draft?: string;
  onDraftChange?(text: string): void;
  disabled?: boolean;
}

const COUNTER_FROM = MESSAGE_BODY_MAX - 500;

/**
 * Enter sends, Shift+Enter starts a new line; the box grows with its text (up to a limit, then
 * scrolls); typing is reported (throttled by the controller) and the draft kept per room.
 */
export function MessageComposer({ roomName, onSend, onTyping, draft = '', onDraftChange, disabled }: MessageComposerProps) {
  const [body, setBody] = useState(draft);
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
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={id} className="visually-hidden">
        Message {roomName}
      </label>
      <textarea
        ref={input}
        id={id}
        rows={1}
        dir="auto"
        value={body}
        placeholder={`Message ${roomName}`}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          change(event.target.value);
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
