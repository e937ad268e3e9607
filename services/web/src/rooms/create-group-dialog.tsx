import { useEffect, useState, type FormEvent } from 'react';
import { createRoomRequestSchema, type Friend } from '@parley/contracts';
import { ApiError } from '../api/api-error';
import { describeError, fieldErrors } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { validateForm, type FieldErrors } from '../auth/form-validation';
import { useChatController } from '../store/chat-context';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import { displayNameOf } from '../room-model/room-title';

export interface CreateGroupDialogProps {
  onClose(): void;
  onCreated(roomId: string): void;
}

/** A named group, private (members only) or public (anyone can find and join it), with friends in it. */
export function CreateGroupDialog({ onClose, onCreated }: CreateGroupDialogProps) {
  const { api } = useAuth();
  const controller = useChatController();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'private' | 'public'>('private');
  const [friends, setFriends] = useState<Friend[]>([]);
  const [memberIds, setMemberIds] = useState<string[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.friends().then(({ friends: list }) => setFriends(list), () => undefined);
  }, [api]);

  const toggle = (id: string) => setMemberIds((ids) => (ids.includes(id) ? ids.filter((other) => other !== id) : [...ids, id]));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const checked = validateForm(createRoomRequestSchema, { name: name.trim(), memberIds, visibility });
    setErrors(checked.errors ?? {});
    if (!checked.value) return;
    setBusy(true);
    try {
      const room = await controller.createGroup(checked.value);
      onCreated(room.id);
      onClose();
    } catch (error) {
      if (error instanceof ApiError) setErrors(fieldErrors(error.details));
      setFailure(describeError(error, 'room'));
      setBusy(false);
    }
  };

  return (
    <Dialog title="New group" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert>{failure}</FormAlert>
        <TextField label="Group name" name="name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} error={errors.name} data-autofocus />
        <fieldset className="choices">
          <legend>Who can join</legend>
          <label>
            <input type="radio" name="visibility" checked={visibility === 'private'} onChange={() => setVisibility('private')} /> Private: only people you add
          </label>
          <label>
            <input type="radio" name="visibility" checked={visibility === 'public'} onChange={() => setVisibility('public')} /> Public: anyone can find and join it
          </label>
        </fieldset>
        <fieldset className="choices">
          <legend>Members</legend>
          {friends.length === 0 && <p className="field-hint">Add friends from People to invite them here; you can also add members later.</p>}
          {friends.map((friend) => (
            <label key={friend.user.id}>
              <input type="checkbox" checked={memberIds.includes(friend.user.id)} onChange={() => toggle(friend.user.id)} /> <bdi>{displayNameOf(friend.user, friend.user.id)}</bdi> (@
              {friend.user.username})
            </label>
          ))}
          {errors.memberIds && <p className="field-error">{errors.memberIds}</p>}
        </fieldset>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create group'}
        </button>
      </form>
    </Dialog>
  );
}
