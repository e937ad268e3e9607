import { useId, useLayoutEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { MESSAGE_BODY_MAX, type MessageAttachment } from '@parley/contracts';
import { usePendingUploads, type AttachmentUploader } from './pending-uploads';

export interface MessageComposerProps {
  roomName: string;
  onSend(body: string, attachments?: MessageAttachment[]): void;
  /** Uploads a pasted, dropped or chosen file (absent: no attachments). */
  onUpload?: AttachmentUploader;
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
export function MessageComposer({ roomName, onSend, onUpload, onTyping, draft = '', onDraftChange, disabled }: MessageComposerProps) {
  const [body, setBody] = useState(draft);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const files = usePendingUploads(onUpload);
  const [dragging, setDragging] = useState(false);

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
    if (files.busy) return;
    const attachments = files.ready;
    // A message always has text: files alone are sent under their names.
    const text = body.trim() || attachments.map((attachment) => `📎 ${attachment.name}`).join('\n');
    if (!text) return;
    if (text.length > MESSAGE_BODY_MAX) {
      setError(`A message can be at most ${MESSAGE_BODY_MAX.toLocaleString()} characters.`);
      return;
    }
    onSend(text, attachments.length > 0 ? attachments : undefined);
    change('');
    files.clear();
    setError(null);
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = [...event.clipboardData.files];
    if (pasted.length === 0 || !onUpload) return;
    event.preventDefault();
    files.add(pasted);
  };
  const carriesFiles = (event: DragEvent) => !!onUpload && [...event.dataTransfer.types].includes('Files');
  const onDragOver = (event: DragEvent<HTMLFormElement>) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    setDragging(true);
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    setDragging(false);
    if (!carriesFiles(event)) return;
    event.preventDefault();
    files.add([...event.dataTransfer.files]);
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
    <form
      className={dragging ? 'composer composer-dragging' : 'composer'}
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="composer"
    >
      {files.uploads.length > 0 && (
        <ul className="composer-uploads" aria-label="Attached files">
          {files.uploads.map((item) => (
            <li key={item.key} data-testid="pending-upload" data-state={item.attachment ? 'ready' : item.error ? 'failed' : 'uploading'}>
              <span dir="auto">{item.name}</span>{' '}
              {item.error ? (
                <span role="alert">{item.error}</span>
              ) : (
                !item.attachment && <progress max={1} value={item.progress} aria-label={`Uploading ${item.name}`} />
              )}
              <button type="button" className="link-like" onClick={() => files.remove(item.key)} aria-label={`Remove ${item.name}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
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
        onPaste={onPaste}
      />
      {onUpload && (
        <label className="composer-attach" title="Attach files">
          Attach
          <input
            type="file"
            multiple
            className="visually-hidden"
            disabled={disabled}
            onChange={(event) => {
              files.add([...(event.target.files ?? [])]);
              event.target.value = '';
            }}
          />
        </label>
      )}
      <button type="submit" className="primary" disabled={disabled || files.busy || (body.trim().length === 0 && files.ready.length === 0)}>
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
