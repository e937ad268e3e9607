import { useEffect } from 'react';

export interface Notice {
  id: number;
  text: string;
}

const SHOWN_MS = 8_000;

/** Short messages for the person ("Ben accepted your friend request"), announced politely, gone after a while. */
export function Notices({ notices, onDismiss }: { notices: readonly Notice[]; onDismiss(id: number): void }) {
  useEffect(() => {
    const timers = notices.map((notice) => setTimeout(() => onDismiss(notice.id), SHOWN_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, onDismiss]);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((notice) => (
        <p key={notice.id} className="notice" data-testid="notice">
          <span dir="auto">{notice.text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => onDismiss(notice.id)}>
            ✕
          </button>
        </p>
      ))}
    </div>
  );
}
