import { useEffect, useState, type FormEvent } from 'react';
import type { Room } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { useChatController, useChatSelector } from '../store/chat-context';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';

export interface PublicRoomsDialogProps {
  onClose(): void;
  onJoined(roomId: string): void;
}

/** Public groups anyone can join, searchable by name. */
export function PublicRoomsDialog({ onClose, onJoined }: PublicRoomsDialogProps) {
  const { api } = useAuth();
  const controller = useChatController();
  const myRooms = useChatSelector((state) => state.rooms);
  const [query, setQuery] = useState('');
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const search = async (text: string) => {
    setError(null);
    try {
      setRooms((await api.publicRooms(text.trim() || undefined)).rooms);
    } catch (failure) {
      setError(describeError(failure, 'room'));
    }
  };

  useEffect(() => {
    void search('');
  }, []);

  const join = async (room: Room) => {
    setBusy(true);
    setError(null);
    try {
      if (!myRooms[room.id]) await controller.joinRoom(room.id);
      onJoined(room.id);
      onClose();
    } catch (failure) {
      setError(describeError(failure, 'room'));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Public rooms" onClose={onClose} wide>
      <form
        className="inline-form"
        role="search"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void search(query);
        }}
      >
        <label htmlFor="public-room-query" className="visually-hidden">
          Search public rooms
        </label>
        <input id="public-room-query" type="search" dir="auto" placeholder="Search by name" value={query} onChange={(event) => setQuery(event.target.value)} data-autofocus />
        <button type="submit">Search</button>
      </form>
      <FormAlert>{error}</FormAlert>
      {rooms === null ? (
        <p role="status">Loading…</p>
      ) : rooms.length === 0 ? (
        <p>No public rooms found.</p>
      ) : (
        <ul className="people-list" aria-label="Public rooms">
          {rooms.map((room) => (
            <li key={room.id} className="person">
              <span className="person-name">#<bdi>{room.name}</bdi></span>
              <span className="person-meta">
                {room.memberCount} member{room.memberCount === 1 ? '' : 's'}
              </span>
              <button type="button" disabled={busy} onClick={() => void join(room)} aria-label={`${myRooms[room.id] ? 'Open' : 'Join'} ${room.name ?? 'room'}`}>
                {myRooms[room.id] ? 'Open' : 'Join'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
