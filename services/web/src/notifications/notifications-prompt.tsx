import { useState } from 'react';
import { z } from 'zod';
import { readStored, storageKeys, writeStored } from '../storage/browser-storage';
import { notificationsSupported } from './browser-notifications';

/**
 * Asks whether to turn on browser notifications, at a sensible moment: after the person sent a
 * message (never on load), and only while the browser has not been asked. The browser's own
 * permission prompt comes only from "Turn on"; "Not now" is remembered.
 */
export function NotificationsPrompt({ userId, engaged }: { userId: string; engaged: boolean }) {
  const key = storageKeys.notificationsPrompt(userId);
  const [answered, setAnswered] = useState(() => readStored(key, z.literal(true)) === true);
  if (!engaged || answered || !notificationsSupported() || Notification.permission !== 'default') return null;

  const done = () => {
    writeStored(key, true);
    setAnswered(true);
  };
  return (
    <div className="banner banner-notice" role="region" aria-label="Notifications">
      Get a notification when a message arrives while Parley is in the background?{' '}
      <button
        type="button"
        className="link"
        onClick={() => {
          done();
          void Notification.requestPermission();
        }}
      >
        Turn on notifications
      </button>{' '}
      <button type="button" className="link" onClick={done}>
        Not now
      </button>
    </div>
  );
}
