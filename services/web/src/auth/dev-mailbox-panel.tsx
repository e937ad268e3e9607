import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/api-client';
import { latestCode, type DevMailboxMessage } from '../api/dev-mailbox';

export interface DevMailboxPanelProps {
  api: Pick<ApiClient, 'devMailbox'>;
  email: string;
  /** `email-verification` or `password-reset`: which code to pick out. */
  kind: string;
  onUseCode(code: string): void;
  pollMs?: number;
}

/**
 * Local development only. `npm start` writes mail to files instead of sending it, and its
 * gateway serves them at `/dev/mailbox`; where that endpoint answers, this panel shows the
 * newest code. Anywhere else (a real cluster) the endpoint 404s and the panel stays hidden.
 */
export function DevMailboxPanel({ api, email, kind, onUseCode, pollMs = 2_000 }: DevMailboxPanelProps) {
  const [messages, setMessages] = useState<DevMailboxMessage[] | null>(null);

  useEffect(() => {
    if (!email) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const found = await api.devMailbox(email);
      if (cancelled) return;
      setMessages(found);
      if (found !== null) timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, email, pollMs]);

  if (messages === null) return null;
  const code = latestCode(messages, kind);
  const href = `/dev/mailbox?to=${encodeURIComponent(email)}`;
  return (
    <section className="dev-mailbox" aria-labelledby="dev-mailbox-title">
      <h2 id="dev-mailbox-title">Local dev mailbox</h2>
      <p>
        Running locally, Parley does not send email: each mail is written as a JSON file to the <code>mailbox</code> folder of the launcher's data
        directory (<code>.parley-data</code> by default), and the launcher shows them at{' '}
        <a href={href} target="_blank" rel="noreferrer">
          /dev/mailbox
        </a>
        . This panel does not exist in a real deployment.
      </p>
      {code ? (
        <p className="dev-mailbox-code">
          Newest code for {email}: <strong data-testid="dev-mailbox-code">{code}</strong>{' '}
          <button type="button" onClick={() => onUseCode(code)}>
            Use this code
          </button>
        </p>
      ) : (
        <p role="status">No code for {email} yet; this panel checks every few seconds.</p>
      )}
    </section>
  );
}
