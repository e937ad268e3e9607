import { chatReducer } from './chat-reducer';
import { initialChatState, type ChatAction, type ChatState } from './chat-state';

export interface ChatStore {
  getState(): ChatState;
  dispatch(action: ChatAction): void;
  subscribe(listener: () => void): () => void;
}

/**
 * A minimal external store around `chatReducer`: the state is updated synchronously on
 * dispatch, so the controller always reads what it just wrote; React subscribes with
 * `useSyncExternalStore`.
 */
export function createChatStore(selfId: string, initial: ChatState = initialChatState(selfId)): ChatStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch: (action) => {
      const next = chatReducer(state, action);
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
