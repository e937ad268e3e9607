import { useCallback, useEffect, useState } from 'react';
import type { BlockedUser, Friend, FriendRequest } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { describeError } from '../api/error-messages';

export interface People {
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  friends: Friend[];
  blocked: BlockedUser[];
  loaded: boolean;
  error: string | null;
  reload(): Promise<void>;
}

type PeopleApi = Pick<ApiClient, 'friendRequests' | 'friends' | 'blocks'>;

/** Friend requests both ways, friends and blocks, loaded together and reloaded after each change. */
export function usePeople(api: PeopleApi): People {
  const [state, setState] = useState<Omit<People, 'reload'>>({ incoming: [], outgoing: [], friends: [], blocked: [], loaded: false, error: null });

  const reload = useCallback(async () => {
    try {
      const [incoming, outgoing, friends, blocks] = await Promise.all([
        api.friendRequests('incoming'),
        api.friendRequests('outgoing'),
        api.friends(),
        api.blocks(),
      ]);
      setState({ incoming: incoming.requests, outgoing: outgoing.requests, friends: friends.friends, blocked: blocks.blocks, loaded: true, error: null });
    } catch (error) {
      setState((previous) => ({ ...previous, loaded: true, error: describeError(error) }));
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { ...state, reload };
}
