import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/api-client';
import { lastSignedInUser } from '../auth/session-hint';
import { createChatSocket, type ChatSocket } from '../connection/socket-client';
import { ChatController } from './chat-controller';
import { loadChatSnapshot, saveChatSnapshot } from './chat-snapshot';
import type { ChatState } from './chat-state';
import { createChatStore, type ChatStore } from './chat-store';

interface ChatContextValue {
  store: ChatStore;
  controller: ChatController;
}

const ChatContext = createContext<ChatContextValue | null>(null);

/** The offline copy is written at most this often. */
const SNAPSHOT_EVERY_MS = 2_000;

export interface ChatProviderProps {
  api: ApiClient;
  selfId: string;
  children: ReactNode;
  /** Tests pass a socket of their own; the app connects to its own origin. */
  socketFactory?: () => ChatSocket;
}

/**
 * One store, socket and controller per signed-in session; all torn down on sign-out. It starts
 * from the saved copy of the chat (shown at once, and all there is while offline) and keeps
 * that copy up to date.
 */
export function ChatProvider({ api, selfId, children, socketFactory }: ChatProviderProps) {
  const [value] = useState<ChatContextValue>(() => {
    const store = createChatStore(selfId);
    const snapshot = loadChatSnapshot(selfId);
    if (snapshot) store.dispatch({ type: 'snapshot/restored', rooms: snapshot.rooms, profiles: snapshot.profiles, messages: snapshot.messages });
    const socket = socketFactory ? socketFactory() : createChatSocket({ token: () => api.currentAccessToken() });
    const controller = new ChatController({ api, socket, dispatch: store.dispatch, getState: store.getState });
    return { store, controller };
  });
  useEffect(() => {
    value.controller.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Never written again for a user who just signed out (their copy was deleted).
    const save = () => {
      clearTimeout(timer);
      timer = undefined;
      if (lastSignedInUser()?.id === selfId) saveChatSnapshot(value.store.getState());
    };
    const unsubscribe = value.store.subscribe(() => {
      timer ??= setTimeout(save, SNAPSHOT_EVERY_MS);
    });
    // A reload or a closed tab keeps what was seen last.
    window.addEventListener('pagehide', save);
    return () => {
      unsubscribe();
      window.removeEventListener('pagehide', save);
      clearTimeout(timer);
      value.controller.stop();
    };
  }, [value, selfId]);
  return <ChatContext.Provider value={value}>{children}</ChatContext.Provider>;
}

function useChatContext(): ChatContextValue {
  const value = useContext(ChatContext);
  if (!value) throw new Error('useChat… must be used inside <ChatProvider>');
  return value;
}

/** A slice of the chat state; the component re-renders when that slice changes. */
export function useChatSelector<T>(selector: (state: ChatState) => T): T {
  const { store } = useChatContext();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

export function useChatStoreDispatch(): ChatStore['dispatch'] {
  return useChatContext().store.dispatch;
}

export function useChatController(): ChatController {
  return useChatContext().controller;
}

export function useChatStore(): ChatStore {
  return useChatContext().store;
}
