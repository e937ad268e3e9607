import { useEffect, useState } from 'react';
import { describeError } from '../api/error-messages';
import { displayNameOf } from '../room-model/room-title';
import { useChatController, useChatSelector } from '../store/chat-context';
import { Avatar } from '../ui/avatar';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';

export interface ProfileCardProps {
  userId: string;
  onClose(): void;
  /** After "Message": the direct room to open. */
  onOpenRoom(roomId: string): void;
}

/** Who someone is: picture, name, @username, bio and whether they are online; a direct message from here. */
export function ProfileCard({ userId, onClose, onOpenRoom }: ProfileCardProps) {
  const controller = useChatController();
  const profile = useChatSelector((state) => state.profiles[userId]);
  const online = useChatSelector((state) => state.presence[userId]);
  const selfId = useChatSelector((state) => state.selfId);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void controller.refreshProfile(userId);
    if (userId !== selfId) void controller.loadPresence([userId]);
  }, [controller, userId, selfId]);

  const name = displayNameOf(profile, userId);
  const message = async () => {
    try {
      const room = await controller.openDirect(userId);
      onOpenRoom(room.id);
      onClose();
    } catch (failure) {
      setError(describeError(failure, 'people'));
    }
  };

  return (
    <Dialog title={name} onClose={onClose}>
      <FormAlert>{error}</FormAlert>
      <div className="profile-card">
        <Avatar name={name} url={profile?.avatarUrl} size="large" />
        <div>
          {profile && (
            <p className="person-meta" dir="auto">
              @{profile.username}
            </p>
          )}
          {userId !== selfId && <p className="person-meta">{online === 'online' ? 'Online' : online === 'offline' ? 'Offline' : 'Presence unknown'}</p>}
        </div>
      </div>
      {profile?.bio ? (
        <p className="profile-bio" dir="auto">
          {profile.bio}
        </p>
      ) : (
        <p className="field-hint">{profile ? 'No bio yet.' : 'Loading…'}</p>
      )}
      {userId !== selfId && (
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={() => void message()}>
            Message
          </button>
        </div>
      )}
    </Dialog>
  );
}
