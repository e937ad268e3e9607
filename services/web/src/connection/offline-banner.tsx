import type { ConnectionStatus } from './connection-status';

/** Says plainly when messages cannot flow, and that the app is reconnecting by itself. */
export function OfflineBanner({ status }: { status: ConnectionStatus }) {
  if (status === 'online') return null;
  return (
    <div className={status === 'offline' ? 'banner banner-offline' : 'banner banner-connecting'} role="status" data-testid="connection-banner">
      {status === 'offline'
        ? 'You are offline. Reconnecting… Messages you missed will appear once the connection is back.'
        : 'Connecting…'}
    </div>
  );
}
