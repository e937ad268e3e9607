import type { ReactNode } from 'react';

/** An error (role=alert, read out at once) or a notice (role=status) above a form or list. */
export function FormAlert({ kind = 'error', children }: { kind?: 'error' | 'notice'; children: ReactNode }) {
  if (!children) return null;
  return (
    <div className={kind === 'error' ? 'alert alert-error' : 'alert alert-notice'} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
