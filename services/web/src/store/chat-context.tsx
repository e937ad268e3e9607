import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/api-client';
import { createChatSocket, type ChatSocket } from '../connection/socket-client';
import { ChatController } from './chat-controller';
import type { ChatState } from './chat-state';
import { createChatStore, type ChatStore } from './chat-store';

interface ChatContextValue {
  store: ChatStore;
  controller: ChatController;
}

const ChatContext = createContext<ChatContextValue | null>(null);

export interface ChatProviderProps {
  api: ApiClient;
  selfId: string;
  children: ReactNode;
  /** Tests pass a socket of their own; the app connects to its own origin. */
  socketFactory?: () => ChatSocket;
}

/** One store, socket and controller per signed-in session; all torn down on sign-out. */
export function ChatProvider({ api, selfId, children, socketFactory }: ChatProviderProps) {
  const [value] = useState<ChatContextValue>(() => {
    const store = createChatStore(selfId);
    const socket = socketFactory ? socketFactory() : createChatSocket({ token: () => api.currentAccessToken() });
    const controller = new ChatController({ api, socket, dispatch: store.dispatch, getState: store.getState });
    return { store, controller };
  });
  useEffect(() => {
    value.controller.start();
    return () => value.controller.stop();
  }, [value]);
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
