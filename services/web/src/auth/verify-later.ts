import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { readStored, removeStored, storageKeys, writeStored } from '../storage/browser-storage';

/**
 * "Later" on the email confirmation screen, remembered per user in this browser, so the screen
 * does not come back at every reload; "Confirm it now" (the banner) brings it back.
 */
export function useVerifyLater(userId: string | undefined): [boolean, (later: boolean) => void] {
  const [later, setLater] = useState(() => (userId ? readStored(storageKeys.verifyLater(userId), z.literal(true)) === true : false));
  useEffect(() => {
    setLater(userId ? readStored(storageKeys.verifyLater(userId), z.literal(true)) === true : false);
  }, [userId]);
  const update = useCallback(
    (value: boolean) => {
      setLater(value);
      if (!userId) return;
      if (value) writeStored(storageKeys.verifyLater(userId), true);
      else removeStored(storageKeys.verifyLater(userId));
    },
    [userId],
  );
  return [later, update];
}
