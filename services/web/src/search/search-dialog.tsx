import { useState, type FormEvent } from 'react';
import type { MessageSearchHit } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { displayNameOf, roomTitle } from '../room-model/room-title';
import { useChatSelector } from '../store/chat-context';
import { fullDateTime } from '../time/date-labels';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { searchMessages } from './search-api';
import { SearchHitFiles } from './search-hit-files';
import { SnippetText } from './snippet-text';

export interface SearchDialogProps {
  /** The open room: offered as the scope, and chosen first when `inRoom`. */
  roomId: string | null;
  inRoom: boolean;
  onClose(): void;
  /** A result was chosen: open its room at the message. */
  onOpenHit(hit: MessageSearchHit): void;
}

/** Message search, across all the user's rooms or in the open one, with "More results" paging. */
export function SearchDialog({ roomId, inRoom, onClose, onOpenHit }: SearchDialogProps) {
  const { api } = useAuth();
  const rooms = useChatSelector((state) => state.rooms);
  const profiles = useChatSelector((state) => state.profiles);
  const selfId = useChatSelector((state) => state.selfId);
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<'all' | 'room'>(inRoom && roomId ? 'room' : 'all');
  const [hits, setHits] = useState<MessageSearchHit[] | null>(null);
  const [next, setNext] = useState<{ q: string; roomId?: string; cursor: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (request: { q: string; roomId?: string; cursor?: string }, append: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const page = await searchMessages(api, request);
      setHits((previous) => (append && previous ? [...previous, ...page.results] : page.results));
      setNext(page.nextCursor ? { q: request.q, ...(request.roomId ? { roomId: request.roomId } : {}), cursor: page.nextCursor } : null);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (!q) return;
    void run({ q, ...(scope === 'room' && roomId ? { roomId } : {}) }, false);
  };

  const titleOf = (id: string) => {
    const room = rooms[id];
    return room ? roomTitle(room, selfId, (userId) => profiles[userId]) : 'A room you left';
  };

  return (
    <Dialog title="Search messages" onClose={onClose} wide>
      <form className="inline-form" role="search" onSubmit={submit}>
        <label htmlFor="message-search-query" className="visually-hidden">
          Words to find
        </label>
        <input
          id="message-search-query"
          type="search"
          dir="auto"
          maxLength={200}
          placeholder='Words, "a phrase", -exclude'
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          data-autofocus
        />
        {roomId && (
          <>
            <label htmlFor="message-search-scope" className="visually-hidden">
              Where
            </label>
            <select id="message-search-scope" value={scope} onChange={(event) => setScope(event.target.value === 'room' ? 'room' : 'all')}>
              <option value="all">All rooms</option>
              <option value="room">This room</option>
            </select>
          </>
        )}
        <button type="submit" disabled={busy}>
          Search
        </button>
      </form>
      <FormAlert>{error}</FormAlert>
      {hits && hits.length === 0 && <p role="status">No messages found.</p>}
      {hits && hits.length > 0 && (
        <ul className="search-results" aria-label="Search results">
          {hits.map((hit) => (
            <li key={hit.messageId}>
              <button type="button" className="search-hit" onClick={() => onOpenHit(hit)}>
                <span className="search-hit-meta">
                  <strong dir="auto">{titleOf(hit.roomId)}</strong> · <span dir="auto">{displayNameOf(profiles[hit.senderId], hit.senderId)}</span> ·{' '}
                  <time dateTime={hit.createdAt}>{fullDateTime(new Date(hit.createdAt))}</time>
                </span>
                <SnippetText snippet={hit.snippet} />
                {hit.attachments && hit.attachments.length > 0 && <SearchHitFiles roomId={hit.roomId} attachments={hit.attachments} links={api.attachmentLinks} />}
              </button>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" disabled={busy} onClick={() => void run(next, true)}>
          More results
        </button>
      )}
    </Dialog>
  );
}
