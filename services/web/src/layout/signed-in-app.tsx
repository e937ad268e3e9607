import type { AuthUser } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { ChatProvider } from '../store/chat-context';
import { ChatScreen } from './chat-screen';

export interface SignedInAppProps {
  api: ApiClient;
  user: AuthUser;
  onVerifyEmail(): void;
}

/** The signed-in app (a chunk of its own, loaded after sign-in): one store, socket and controller per user. */
export default function SignedInApp({ api, user, onVerifyEmail }: SignedInAppProps) {
  return (
    <ChatProvider key={user.id} api={api} selfId={user.id}>
      <ChatScreen user={user} onVerifyEmail={onVerifyEmail} />
    </ChatProvider>
  );
}
