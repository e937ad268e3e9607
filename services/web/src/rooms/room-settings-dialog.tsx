import { useEffect, useState, type FormEvent } from 'react';
import { updateRoomRequestSchema, type RoomSummary } from '@parley/contracts';
import { ApiError } from '../api/api-error';
import { describeError, fieldErrors } from '../api/error-messages';
import { validateForm, type FieldErrors } from '../auth/form-validation';
import { useChatController, useChatSelector } from '../store/chat-context';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import { InviteLinks } from './invite-links';

export interface RoomSettingsDialogProps {
  room: RoomSummary;
  onClose(): void;
}

/** A group's name, topic and picture (owners and admins change them) and, for private groups, its invite links. */
export function RoomSettingsDialog({ room, onClose }: RoomSettingsDialogProps) {
  const controller = useChatController();
  const selfId = useChatSelector((state) => state.selfId);
  const myRole = useChatSelector((state) => state.members[room.id]?.find((member) => member.userId === selfId)?.role);
  const [name, setName] = useState(room.name ?? '');
  const [topic, setTopic] = useState(room.topic ?? '');
  const [avatarUrl, setAvatarUrl] = useState(room.avatarUrl ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canEdit = myRole === 'owner' || myRole === 'admin';

  useEffect(() => {
    void controller.loadMembers(room.id);
  }, [controller, room.id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    const checked = validateForm(updateRoomRequestSchema, { name: name.trim(), topic: topic.trim() || null, avatarUrl: avatarUrl.trim() || null });
    setErrors(checked.errors ?? {});
    if (!checked.value) return;
    setBusy(true);
    try {
      await controller.updateRoom(room.id, checked.value);
      setNotice('Settings saved.');
    } catch (error) {
      if (error instanceof ApiError) setErrors(fieldErrors(error.details));
      setFailure(describeError(error, 'room-settings'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Group settings" onClose={onClose} wide>
      <form onSubmit={submit} noValidate aria-label="Name, topic and picture">
        <FormAlert>{failure}</FormAlert>
        <FormAlert kind="notice">{notice}</FormAlert>
        {!canEdit && myRole && <p className="field-hint">Only the group’s owners and admins can change these.</p>}
        <fieldset className="plain-fieldset" disabled={!canEdit || busy}>
          <legend className="visually-hidden">Name, topic and picture</legend>
          <TextField label="Name" name="name" maxLength={100} value={name} onChange={(event) => setName(event.target.value)} error={errors.name} data-autofocus />
          <TextField label="Topic" name="topic" maxLength={300} value={topic} onChange={(event) => setTopic(event.target.value)} error={errors.topic} hint="What the group is for (optional)" />
          <TextField
            label="Picture URL"
            name="avatarUrl"
            type="url"
            dir="ltr"
            placeholder="https://…"
            value={avatarUrl}
            onChange={(event) => setAvatarUrl(event.target.value)}
            error={errors.avatarUrl}
          />
          {canEdit && (
            <button type="submit" className="primary">
              {busy ? 'Saving…' : 'Save settings'}
            </button>
          )}
        </fieldset>
      </form>
      {canEdit && room.visibility === 'private' && <InviteLinks roomId={room.id} />}
      {room.visibility === 'public' && <p className="field-hint">This group is public: anyone can find it in Public rooms and join it.</p>}
    </Dialog>
  );
}
