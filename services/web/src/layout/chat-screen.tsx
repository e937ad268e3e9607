import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AuthUser } from '@parley/contracts';
import { useAuth } from '../auth/auth-context';
import { OfflineBanner } from '../connection/offline-banner';
import { PeopleDialog } from '../friends/people-dialog';
import { BrowserNotifier } from '../notifications/browser-notifications';
import { NotificationsPrompt } from '../notifications/notifications-prompt';
import { useUnreadBadge } from '../notifications/unread-badge';
import { ProfileCard } from '../profile/profile-card';
import { ProfileDialog } from '../profile/profile-dialog';
import { AccountSettingsDialog } from '../account/account-settings-dialog';
import { CreateGroupDialog } from '../rooms/create-group-dialog';
import { InviteDialog } from '../rooms/invite-dialog';
import { PublicRoomsDialog } from '../rooms/public-rooms-dialog';
import { RoomList } from '../rooms/room-list';
import { totalUnread } from '../room-model/room-summaries';
import { RoomView } from '../rooms/room-view';
import { SearchDialog } from '../search/search-dialog';
import { useChatController, useChatSelector, useChatStore } from '../store/chat-context';
import { Notices } from '../ui/notices';
import { inviteTokenFromPath, takePendingInvite } from '../rooms/invite-route';
import { pathForRoom, roomIdFromPath } from './room-route';

type OpenDialog = { kind: 'people' | 'profile' | 'account' | 'group' | 'public' } | { kind: 'search'; inRoom: boolean } | { kind: 'person'; userId: string } | { kind: 'invite'; token: string } | null;

export interface ChatScreenProps {
  user: AuthUser;
  onVerifyEmail(): void;
}

/**
 * The signed-in app: room list beside the open room (on a phone-sized screen, one or the
 * other), the connection banner, notices, and the dialogs for people, profiles, rooms and
 * invitations. It keeps the unread count in the title and favicon and raises browser
 * notifications for messages out of view.
 */
export function ChatScreen({ user, onVerifyEmail }: ChatScreenProps) {
  const { logout } = useAuth();
  const controller = useChatController();
  const store = useChatStore();
  const activeRoomId = useChatSelector((state) => state.activeRoomId);
  const connection = useChatSelector((state) => state.connection);
  const rooms = useChatSelector((state) => state.rooms);
  const notices = useChatSelector((state) => state.notices);
  const pendingRequests = useChatSelector((state) => state.pendingFriendRequests);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [engaged, setEngaged] = useState(false);
  // A search hit opened in its room: that room shows the messages around it until the user leaves it.
  const [focus, setFocus] = useState<{ roomId: string; messageId: string } | null>(null);
  const unread = useMemo(() => totalUnread(Object.values(rooms)), [rooms]);
  useUnreadBadge(unread);

  const open = useCallback(
    (roomId: string | null) => {
      setFocus(null);
      controller.openRoom(roomId);
      const path = pathForRoom(roomId);
      if (window.location.pathname !== path) window.history.pushState({ roomId }, '', path);
    },
    [controller],
  );

  useEffect(() => {
    const invite = inviteTokenFromPath(window.location.pathname) ?? takePendingInvite();
    if (invite) {
      window.history.replaceState(null, '', '/');
      setDialog({ kind: 'invite', token: invite });
    }
    controller.openRoom(roomIdFromPath(window.location.pathname));
    const onPopState = () => controller.openRoom(roomIdFromPath(window.location.pathname));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [controller]);

  useEffect(() => {
    const notifier = new BrowserNotifier(store.getState, open);
    const stopIncoming = controller.onIncoming((message) => notifier.notify(message));
    const stopSent = controller.onSent(() => setEngaged(true));
    return () => {
      stopIncoming();
      stopSent();
    };
  }, [controller, store, open]);

  const close = useCallback(() => setDialog(null), []);
  const openProfile = useCallback((userId: string) => setDialog({ kind: 'person', userId }), []);
  const dismissNotice = useCallback((id: number) => controller.dismissNotice(id), [controller]);

  return (
    <div className={activeRoomId ? 'chat-screen room-open' : 'chat-screen'}>
      <header className="app-header">
        <span className="brand">Parley</span>
        <nav className="app-actions" aria-label="Account">
          <button type="button" onClick={() => setDialog({ kind: 'search', inRoom: false })}>
            Search
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'people' })}>
            People
            {pendingRequests > 0 && (
              <span className="badge">
                {pendingRequests}
                <span className="visually-hidden"> friend requests</span>
              </span>
            )}
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'profile' })}>
            Profile
          </button>
          <button type="button" onClick={() => setDialog({ kind: 'account' })}>
            Account
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
      <NotificationsPrompt userId={user.id} engaged={engaged} />
      <Notices notices={notices} onDismiss={dismissNotice} />
      <div className="chat-body">
        <aside className="sidebar" aria-label="Your rooms">
          <div className="sidebar-actions">
            <button type="button" onClick={() => setDialog({ kind: 'group' })}>
              New group
            </button>
            <button type="button" onClick={() => setDialog({ kind: 'public' })}>
              Public rooms
            </button>
          </div>
          <RoomList onOpen={open} />
        </aside>
        <main className="main-pane">
          {activeRoomId ? (
            <RoomView
              key={activeRoomId}
              roomId={activeRoomId}
              onBack={() => open(null)}
              onOpenProfile={openProfile}
              focusMessageId={focus?.roomId === activeRoomId ? focus.messageId : undefined}
              onSearch={() => setDialog({ kind: 'search', inRoom: true })}
              onLeaveFocus={() => setFocus(null)}
            />
          ) : (
            <div className="no-room">
              <p>Pick a room, or start a conversation from People.</p>
            </div>
          )}
        </main>
      </div>
      {dialog?.kind === 'people' && <PeopleDialog onClose={close} onOpenRoom={open} />}
      {dialog?.kind === 'profile' && <ProfileDialog onClose={close} />}
      {dialog?.kind === 'account' && <AccountSettingsDialog onClose={close} />}
      {dialog?.kind === 'group' && <CreateGroupDialog onClose={close} onCreated={open} />}
      {dialog?.kind === 'public' && <PublicRoomsDialog onClose={close} onJoined={open} />}
      {dialog?.kind === 'person' && <ProfileCard userId={dialog.userId} onClose={close} onOpenRoom={open} />}
      {dialog?.kind === 'search' && (
        <SearchDialog
          roomId={activeRoomId}
          inRoom={dialog.inRoom}
          onClose={close}
          onOpenHit={(hit) => {
            open(hit.roomId);
            setFocus({ roomId: hit.roomId, messageId: hit.messageId });
            close();
          }}
        />
      )}
      {dialog?.kind === 'invite' && <InviteDialog token={dialog.token} onClose={close} onJoined={open} />}
    </div>
  );
}
