import { useEffect, useId, useLayoutEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { MESSAGE_BODY_MAX, type MessageAttachment, type PublicProfile } from '@parley/contracts';
import { insertMention, mentionQueryAt, mentionSuggestions } from './mention-suggestions';
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
export function MessageComposer({ roomName, onSend, onUpload, onTyping, draft = '', onDraftChange, disabled, replying, onCancelReply, members, selfId = '', label }: MessageComposerProps) {
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
  const files = usePendingUploads(onUpload);
  const [dragging, setDragging] = useState(false);

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
    <form
      className={dragging ? 'composer composer-dragging' : 'composer'}
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="composer"
    >
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
