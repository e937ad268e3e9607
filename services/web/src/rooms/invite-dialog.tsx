import { useEffect, useState } from 'react';
import type { InvitePreview } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { useChatController } from '../store/chat-context';
import { Avatar } from '../ui/avatar';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';

export interface InviteDialogProps {
  token: string;
  onClose(): void;
  onJoined(roomId: string): void;
}

/** An invite link opened: which group it leads to, and joining it (or opening it, for a member already). */
export function InviteDialog({ token, onClose, onJoined }: InviteDialogProps) {
  const { api } = useAuth();
  const controller = useChatController();
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.previewInvite(token).then(setPreview, (failure: unknown) => setError(describeError(failure, 'invite')));
  }, [api, token]);

  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const room = await controller.acceptInvite(token);
      onJoined(room.id);
      onClose();
    } catch (failure) {
      setError(describeError(failure, 'invite'));
      setBusy(false);
    }
  };

  const name = preview?.room.name ?? 'a group';
  return (
    <Dialog title="Invitation" onClose={onClose}>
      <FormAlert>{error}</FormAlert>
      {!preview && !error && <p role="status">Checking the link…</p>}
      {preview && (
        <>
          <div className="profile-card">
            <Avatar name={name} url={preview.room.avatarUrl} size="large" fallback="#" />
            <div>
              <p className="invite-room-name" dir="auto">
                {name}
              </p>
              <p className="person-meta">
                {preview.room.memberCount} member{preview.room.memberCount === 1 ? '' : 's'}
              </p>
            </div>
          </div>
          {preview.room.topic && (
            <p dir="auto" className="profile-bio">
              {preview.room.topic}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Not now
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void join()} data-autofocus>
              {preview.alreadyMember ? `Open ${name}` : `Join ${name}`}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
