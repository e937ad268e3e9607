import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AuthUser } from '@parley/contracts';
import { useAuth } from '../auth/auth-context';
import { OfflineBanner } from '../connection/offline-banner';
import { PeopleDialog } from '../friends/people-dialog';
import { ProfileDialog } from '../profile/profile-dialog';
import { CreateGroupDialog } from '../rooms/create-group-dialog';
import { PublicRoomsDialog } from '../rooms/public-rooms-dialog';
import { RoomList } from '../rooms/room-list';
import { totalUnread } from '../rooms/room-summaries';
import { RoomView } from '../rooms/room-view';
import { useChatController, useChatSelector } from '../store/chat-context';
import { pathForRoom, roomIdFromPath } from './room-route';

type OpenDialog = 'people' | 'profile' | 'group' | 'public' | null;

export interface ChatScreenProps {
  user: AuthUser;
  onVerifyEmail(): void;
}

/**
 * The signed-in app: room list beside the open room (on a phone-sized screen, one or the
 * other), the connection banner, and the dialogs for people, profile and rooms.
 */
export function ChatScreen({ user, onVerifyEmail }: ChatScreenProps) {
  const { logout } = useAuth();
  const controller = useChatController();
  const activeRoomId = useChatSelector((state) => state.activeRoomId);
  const connection = useChatSelector((state) => state.connection);
  const rooms = useChatSelector((state) => state.rooms);
  const pendingRequests = useChatSelector((state) => state.pendingFriendRequests);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const unread = useMemo(() => totalUnread(Object.values(rooms)), [rooms]);

  const open = useCallback(
    (roomId: string | null) => {
      controller.openRoom(roomId);
      const path = pathForRoom(roomId);
      if (window.location.pathname !== path) window.history.pushState({ roomId }, '', path);
    },
    [controller],
  );

  useEffect(() => {
    controller.openRoom(roomIdFromPath(window.location.pathname));
    const onPopState = () => controller.openRoom(roomIdFromPath(window.location.pathname));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [controller]);

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  }, [unread]);

  const close = useCallback(() => setDialog(null), []);

  return (
    <div className={activeRoomId ? 'chat-screen room-open' : 'chat-screen'}>
      <header className="app-header">
        <span className="brand">Parley</span>
        <nav className="app-actions" aria-label="Account">
          <button type="button" onClick={() => setDialog('people')} aria-label={pendingRequests > 0 ? `People, ${pendingRequests} friend requests` : 'People'}>
            People{pendingRequests > 0 && <span className="badge">{pendingRequests}</span>}
          </button>
          <button type="button" onClick={() => setDialog('profile')}>
            Profile
          </button>
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </nav>
      </header>
      <OfflineBanner status={connection} />
      {!user.emailVerified && (
        <div className="banner banner-notice" role="status">
          Your email address is not confirmed yet.{' '}
          <button type="button" className="link" onClick={onVerifyEmail}>
            Confirm it now
          </button>
        </div>
      )}
      <div className="chat-body">
        <aside className="sidebar" aria-label="Your rooms">
          <div className="sidebar-actions">
            <button type="button" onClick={() => setDialog('group')}>
              New group
            </button>
            <button type="button" onClick={() => setDialog('public')}>
              Public rooms
            </button>
          </div>
          <RoomList onOpen={open} />
        </aside>
        <main className="main-pane">
          {activeRoomId ? (
            <RoomView key={activeRoomId} roomId={activeRoomId} onBack={() => open(null)} />
          ) : (
            <div className="no-room">
              <p>Pick a room, or start a conversation from People.</p>
            </div>
          )}
        </main>
      </div>
      {dialog === 'people' && <PeopleDialog onClose={close} onOpenRoom={open} />}
      {dialog === 'profile' && <ProfileDialog onClose={close} />}
      {dialog === 'group' && <CreateGroupDialog onClose={close} onCreated={open} />}
      {dialog === 'public' && <PublicRoomsDialog onClose={close} onJoined={open} />}
    </div>
  );
}
