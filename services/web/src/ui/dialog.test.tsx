// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from './confirm-dialog';
import { Dialog } from './dialog';

afterEach(cleanup);

function Nested({ onConfirm, onOuterClose }: { onConfirm(): Promise<void>; onOuterClose(): void }) {
  const [open, setOpen] = useState(true);
  const [asking, setAsking] = useState(false);
  const [removed, setRemoved] = useState(false);
  if (!open) return null;
  return (
    <Dialog
      title="Members"
      onClose={() => {
        onOuterClose();
        setOpen(false);
      }}
    >
      {!removed && (
        <button type="button" onClick={() => setAsking(true)}>
          Remove Cy
        </button>
      )}
      {asking && (
        <ConfirmDialog
          title="Remove Cy?"
          confirmLabel="Remove"
          onConfirm={async () => {
            await onConfirm();
            setRemoved(true);
          }}
          onClose={() => setAsking(false)}
        >
          Cy will leave.
        </ConfirmDialog>
      )}
    </Dialog>
  );
}

describe('dialogs', () => {
  it('asks before acting, starting on Cancel; Escape closes only the innermost dialog, then the next', async () => {
    const onConfirm = vi.fn(async () => undefined);
    const onOuterClose = vi.fn();
    render(<Nested onConfirm={onConfirm} onOuterClose={onOuterClose} />);
    await userEvent.click(screen.getByRole('button', { name: 'Remove Cy' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Remove Cy?' });
    expect(document.activeElement?.textContent).toBe('Cancel');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(onOuterClose).not.toHaveBeenCalled();
    expect(onConfirm).not.toHaveBeenCalled();
    expect(confirm.isConnected).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Remove Cy' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    // The button that opened the confirmation is gone with Cy: Escape still closes the list.
    expect(screen.queryByRole('button', { name: 'Remove Cy' })).toBeNull();
    await userEvent.keyboard('{Escape}');
    expect(onOuterClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps the dialog open and says why when the action fails', async () => {
    const failing = vi.fn(async () => {
      throw new Error('nope');
    });
    render(<Nested onConfirm={failing} onOuterClose={() => undefined} />);
    await userEvent.click(screen.getByRole('button', { name: 'Remove Cy' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(screen.getByRole('alertdialog').textContent).toContain('Something went wrong. Try again.');
  });
});
