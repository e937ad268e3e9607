import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_BODY_MAX } from '@parley/contracts';

export interface MessageComposerProps {
  roomName: string;
  onSend(body: string): void;
  onTyping(isTyping: boolean): void;
  disabled?: boolean;
}

const COUNTER_FROM = MESSAGE_BODY_MAX - 500;

/** Enter sends, Shift+Enter starts a new line; typing is reported (throttled by the controller). */
export function MessageComposer({ roomName, onSend, onTyping, disabled }: MessageComposerProps) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const send = () => {
    const text = body.trim();
    if (!text) return;
    if (text.length > MESSAGE_BODY_MAX) {
      setError(`A message can be at most ${MESSAGE_BODY_MAX} characters.`);
      return;
    }
    onSend(text);
    setBody('');
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
        id={id}
        rows={1}
        value={body}
        placeholder={`Message ${roomName}`}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => {
          setBody(event.target.value);
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
