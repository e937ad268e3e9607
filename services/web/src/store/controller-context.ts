import type { ApiClient } from '../api/api-client';
import type { ChatSocket } from '../connection/socket-client';
import type { ChatAction, ChatState } from './chat-state';
import type { LiveMessages } from './live-messages';
import type { PeopleDirectory } from './people-directory';

export interface ChatControllerDeps {
  api: ApiClient;
  socket: ChatSocket;
  dispatch: (action: ChatAction) => void;
  getState: () => ChatState;
  newClientMsgId?: () => string;
}

/** An acknowledged socket event is given up (and the message kept for later) after this long. */
export const ACK_TIMEOUT_MS = 10_000;

/** What the parts of the chat controller share: the session's API, socket and store, and who is who. */
export interface ControllerContext extends ChatControllerDeps {
  people: PeopleDirectory;
  live: LiveMessages;
}
