import { useCallback, useEffect, useState } from 'react';
import type { RoomInvite } from '@parley/contracts';
import { describeError } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { invitePath } from './invite-route';
import { FormAlert } from '../ui/form-alert';

const LIFETIMES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
];

/**
 * Invite links of a private group: a new link (shown once: only its hash is kept), with the
 * lifetime chosen, and the list of links with their state, each revocable.
 */
export function InviteLinks({ roomId }: { roomId: string }) {
  const { api } = useAuth();
  const [hours, setHours] = useState(24 * 7);
  const [created, setCreated] = useState<string | null>(null);
  const [invites, setInvites] = useState<RoomInvite[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    try {
      setInvites((await api.invites(roomId)).invites);
    } catch (failure) {
      setError(describeError(failure, 'room-settings'));
    }
  }, [api, roomId]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
      await reload();
    } catch (failure) {
      setError(describeError(failure, 'room-settings'));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created);
      setNotice('Link copied.');
    } catch {
      setNotice('Select the link and copy it.');
    }
  };

  const now = Date.now();
  return (
    <section aria-labelledby="invite-links-title" className="invite-links">
      <h3 id="invite-links-title">Invite links</h3>
      <p className="field-hint">Anyone signed in who has a link can join this group until it expires or you revoke it.</p>
      <FormAlert>{error}</FormAlert>
      <FormAlert kind="notice">{notice}</FormAlert>
      <div className="inline-form">
        <label htmlFor="invite-lifetime">Valid for</label>
        <select id="invite-lifetime" value={hours} onChange={(event) => setHours(Number(event.target.value))}>
          {LIFETIMES.map((lifetime) => (
            <option key={lifetime.hours} value={lifetime.hours}>
              {lifetime.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const invite = await api.createInvite(roomId, hours);
              setCreated(`${window.location.origin}${invitePath(invite.token)}`);
            })
          }
        >
          Create invite link
        </button>
      </div>
      {created && (
        <div className="inline-form">
          <label htmlFor="invite-created" className="visually-hidden">
            New invite link
          </label>
          <input id="invite-created" readOnly dir="ltr" value={created} onFocus={(event) => event.target.select()} data-testid="invite-link" />
          <button type="button" onClick={() => void copy()}>
            Copy
          </button>
        </div>
      )}
      {invites && invites.length > 0 && (
        <ul className="people-list" aria-label="Invite links">
          {invites.map((invite) => {
            const expired = Date.parse(invite.expiresAt) <= now;
            const state = invite.revokedAt ? 'revoked' : expired ? 'expired' : `valid until ${new Date(invite.expiresAt).toLocaleString()}`;
            return (
              <li key={invite.id} className="person">
                <span className="person-name">
                  Link from {new Date(invite.createdAt).toLocaleString()} <span className="person-meta">{state}</span>
                </span>
                <span className="person-meta">
                  {invite.uses} joined
                </span>
                {!invite.revokedAt && !expired && (
                  <button type="button" className="danger" disabled={busy} onClick={() => void run(() => api.revokeInvite(roomId, invite.id))}>
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
