import { useEffect, useState } from 'react';
import type { Friend, RoomMember, RoomSummary } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { useChatController, useChatSelector } from '../store/chat-context';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { displayNameOf } from '../room-model/room-title';

export interface MembersDialogProps {
  room: RoomSummary;
  onClose(): void;
  /** After leaving the room. */
  onLeft(): void;
  onOpenProfile(userId: string): void;
}

type Confirming = { kind: 'leave' } | { kind: 'remove'; member: RoomMember; name: string } | null;

/**
 * Who is in a room and online. Owners and admins add and remove members; owners make members
 * admins and back; anyone may leave a group. Removing and leaving ask first.
 */
export function MembersDialog({ room, onClose, onLeft, onOpenProfile }: MembersDialogProps) {
  const { api } = useAuth();
  const controller = useChatController();
  const members = useChatSelector((state) => state.members[room.id]);
  const profiles = useChatSelector((state) => state.profiles);
  const presence = useChatSelector((state) => state.presence);
  const selfId = useChatSelector((state) => state.selfId);
  const [friends, setFriends] = useState<Friend[]>([]);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<Confirming>(null);

  useEffect(() => {
    void controller.loadMembers(room.id);
    if (room.kind === 'group') api.friends().then(({ friends: list }) => setFriends(list), () => undefined);
  }, [api, controller, room.id, room.kind]);

  const myRole = members?.find((member) => member.userId === selfId)?.role;
  const canManage = room.kind === 'group' && (myRole === 'owner' || myRole === 'admin');
  const memberIds = new Set(members?.map((member) => member.userId));
  const addable = friends.filter((friend) => !memberIds.has(friend.user.id));
  const roomName = room.name ?? 'this group';

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure, 'room'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={room.kind === 'group' ? `Members of ${roomName}` : 'Conversation details'} onClose={onClose} wide>
      <FormAlert>{error}</FormAlert>
      {!members ? (
        <p role="status">Loading members…</p>
      ) : (
        <ul className="people-list" aria-label="Members">
          {members.map((member) => {
            const name = member.userId === selfId ? 'You' : displayNameOf(profiles[member.userId], member.userId);
            const status = presence[member.userId];
            return (
              <li key={member.userId} className="person">
                <span className={status === 'online' ? 'presence-dot online' : 'presence-dot'} aria-hidden="true" />
                <span className="person-name">
                  <button type="button" className="link-like" dir="auto" onClick={() => onOpenProfile(member.userId)}>
                    {name}
                  </button>{' '}
                  <span className="person-meta">{member.role !== 'member' ? member.role : ''}</span>
                </span>
                <span className="person-meta">{status ?? ''}</span>
                {myRole === 'owner' && member.userId !== selfId && member.role !== 'owner' && (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => void run(() => controller.setRole(room.id, member.userId, member.role === 'admin' ? 'member' : 'admin'))}
                    aria-label={`${member.role === 'admin' ? 'Remove admin rights of' : 'Make admin:'} ${name}`}
                  >
                    {member.role === 'admin' ? 'Remove admin' : 'Make admin'}
                  </button>
                )}
                {canManage && member.userId !== selfId && member.role !== 'owner' && (
                  <button type="button" className="danger" disabled={busy} onClick={() => setConfirming({ kind: 'remove', member, name })} aria-label={`Remove ${name}`}>
                    Remove
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {canManage && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (chosen)
              void run(async () => {
                await controller.addMembers(room.id, [chosen]);
                setChosen('');
              });
          }}
        >
          <label htmlFor="add-member">Add a friend</label>
          <select id="add-member" value={chosen} onChange={(event) => setChosen(event.target.value)}>
            <option value="">{addable.length === 0 ? 'No friends to add' : 'Choose a friend…'}</option>
            {addable.map((friend) => (
              <option key={friend.user.id} value={friend.user.id}>
                {displayNameOf(friend.user, friend.user.id)} (@{friend.user.username})
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !chosen}>
            Add
          </button>
        </form>
      )}
      {room.kind === 'group' && (
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming({ kind: 'leave' })}>
          Leave this group
        </button>
      )}
      {confirming?.kind === 'leave' && (
        <ConfirmDialog
          title={`Leave ${roomName}?`}
          confirmLabel="Leave"
          describeFailure={(failure) => describeError(failure, 'room')}
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            await controller.leaveRoom(room.id);
            onClose();
            onLeft();
          }}
        >
          You will stop receiving its messages. To come back, someone has to add you again
          {room.visibility === 'public' ? ', or you join it from Public rooms' : ''}.
        </ConfirmDialog>
      )}
      {confirming?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${confirming.name}?`}
          confirmLabel="Remove"
          describeFailure={(failure) => describeError(failure, 'room')}
          onClose={() => setConfirming(null)}
          onConfirm={() => controller.removeMember(room.id, confirming.member.userId)}
        >
          {confirming.name} will leave {roomName} and stop receiving its messages. Everyone in the room sees that you removed them.
        </ConfirmDialog>
      )}
    </Dialog>
  );
}
