import { useState, type FormEvent } from 'react';
import type { PublicProfile } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { useChatController, useChatSelector } from '../store/chat-context';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { displayNameOf } from '../room-model/room-title';
import { PersonRow } from './person-actions';
import { usePeople } from './use-people';

export interface PeopleDialogProps {
  onClose(): void;
  onOpenRoom(roomId: string): void;
}

/** Find people, send and answer friend requests, start direct chats, block and unblock. */
export function PeopleDialog({ onClose, onOpenRoom }: PeopleDialogProps) {
  const { api } = useAuth();
  const controller = useChatController();
  const selfId = useChatSelector((state) => state.selfId);
  const people = usePeople(api);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PublicProfile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<{ kind: 'block' | 'unfriend'; profile: PublicProfile } | null>(null);

  const run = async (action: () => Promise<string | void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const message = await action();
      if (message) setNotice(message);
      await people.reload();
      void controller.refreshFriendRequestCount();
    } catch (failure) {
      setError(describeError(failure, 'people'));
    } finally {
      setBusy(false);
    }
  };

  const search = (event: FormEvent) => {
    event.preventDefault();
    if (!query.trim()) return;
    void run(async () => {
      const found = await api.searchUsers(query.trim());
      setResults(found.users.filter((user) => user.id !== selfId));
    });
  };

  const message = (userId: string) =>
    void run(async () => {
      const room = await controller.openDirect(userId);
      onOpenRoom(room.id);
      onClose();
    });
  const friendIds = new Set(people.friends.map((friend) => friend.user.id));
  const outgoingIds = new Set(people.outgoing.map((request) => request.toUser.id));
  const blockedIds = new Set(people.blocked.map((entry) => entry.user.id));
  const block = (profile: PublicProfile) => setConfirming({ kind: 'block', profile });
  /** The confirmed action; its notice and the reloaded lists show in this dialog. */
  const confirmed = async (kind: 'block' | 'unfriend', profile: PublicProfile) => {
    if (kind === 'block') {
      await api.block(profile.id);
      setNotice(`You blocked @${profile.username}. They cannot message you or send you friend requests.`);
    } else {
      await api.unfriend(profile.id);
      setNotice(`@${profile.username} is no longer your friend.`);
    }
    await people.reload();
  };

  return (
    <Dialog title="People" onClose={onClose} wide>
      <FormAlert>{error ?? people.error}</FormAlert>
      <FormAlert kind="notice">{notice}</FormAlert>

      <section aria-labelledby="people-search-title">
        <h3 id="people-search-title">Find people</h3>
        <form className="inline-form" role="search" onSubmit={search}>
          <label htmlFor="people-query" className="visually-hidden">
            Username, name or email
          </label>
          <input id="people-query" type="search" dir="auto" placeholder="Username, name or exact email" value={query} onChange={(event) => setQuery(event.target.value)} data-autofocus />
          <button type="submit" disabled={busy}>
            Search
          </button>
        </form>
        {results && results.length === 0 && <p>Nobody found.</p>}
        {results && results.length > 0 && (
          <ul className="people-list" aria-label="Search results">
            {results.map((profile) => (
              <PersonRow
                key={profile.id}
                profile={profile}
                busy={busy}
                meta={friendIds.has(profile.id) ? 'friend' : outgoingIds.has(profile.id) ? 'request sent' : blockedIds.has(profile.id) ? 'blocked' : undefined}
                actions={[
                  ...(!friendIds.has(profile.id) && !outgoingIds.has(profile.id) && !blockedIds.has(profile.id)
                    ? [{ label: 'Add friend', run: () => void run(async () => void (await api.sendFriendRequest(profile.id))) }]
                    : []),
                  ...(!blockedIds.has(profile.id) ? [{ label: 'Message', run: () => message(profile.id) }] : []),
                  ...(!blockedIds.has(profile.id) ? [{ label: 'Block', run: () => block(profile), danger: true }] : []),
                ]}
              />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="people-incoming-title">
        <h3 id="people-incoming-title">Friend requests{people.incoming.length > 0 ? ` (${people.incoming.length})` : ''}</h3>
        {people.incoming.length === 0 ? (
          <p className="field-hint">No requests waiting for you.</p>
        ) : (
          <ul className="people-list" aria-label="Incoming friend requests">
            {people.incoming.map((request) => (
              <PersonRow
                key={request.id}
                profile={request.fromUser}
                busy={busy}
                actions={[
                  { label: 'Accept', run: () => void run(async () => void (await api.acceptFriendRequest(request.id))) },
                  { label: 'Reject', run: () => void run(async () => void (await api.rejectFriendRequest(request.id))), danger: true },
                ]}
              />
            ))}
          </ul>
        )}
        {people.outgoing.length > 0 && (
          <ul className="people-list" aria-label="Sent friend requests">
            {people.outgoing.map((request) => (
              <PersonRow key={request.id} profile={request.toUser} busy={busy} meta="waiting for an answer" actions={[]} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="people-friends-title">
        <h3 id="people-friends-title">Friends</h3>
        {people.friends.length === 0 ? (
          <p className="field-hint">{people.loaded ? 'No friends yet. Find people above and add them.' : 'Loading…'}</p>
        ) : (
          <ul className="people-list" aria-label="Friends">
            {people.friends.map((friend) => (
              <PersonRow
                key={friend.user.id}
                profile={friend.user}
                busy={busy}
                actions={[
                  { label: 'Message', run: () => message(friend.user.id) },
                  { label: 'Unfriend', run: () => setConfirming({ kind: 'unfriend', profile: friend.user }), danger: true },
                  { label: 'Block', run: () => block(friend.user), danger: true },
                ]}
              />
            ))}
          </ul>
        )}
      </section>

      {people.blocked.length > 0 && (
        <section aria-labelledby="people-blocked-title">
          <h3 id="people-blocked-title">Blocked</h3>
          <ul className="people-list" aria-label="Blocked people">
            {people.blocked.map((entry) => (
              <PersonRow key={entry.user.id} profile={entry.user} busy={busy} actions={[{ label: 'Unblock', run: () => void run(() => api.unblock(entry.user.id)) }]} />
            ))}
          </ul>
        </section>
      )}
      {confirming && (
        <ConfirmDialog
          title={`${confirming.kind === 'block' ? 'Block' : 'Unfriend'} ${displayNameOf(confirming.profile, confirming.profile.id)}?`}
          confirmLabel={confirming.kind === 'block' ? 'Block' : 'Unfriend'}
          describeFailure={(failure) => describeError(failure, 'people')}
          onClose={() => setConfirming(null)}
          onConfirm={() => confirmed(confirming.kind, confirming.profile)}
        >
          {confirming.kind === 'block'
            ? 'They will not be able to message you, see when you are online, or send you friend requests. Your friendship ends. You can unblock them later.'
            : 'You stop being friends. You can still message each other; either of you can send a new friend request.'}
        </ConfirmDialog>
      )}
    </Dialog>
  );
}
