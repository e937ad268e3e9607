import { useId, useState, type ReactNode } from 'react';
import { Dialog } from './dialog';
import { FormAlert } from './form-alert';

export interface ConfirmDialogProps {
  title: string;
  /** What will happen, in a sentence or two. */
  children: ReactNode;
  /** The button that does it ("Leave", "Remove", "Block"). */
  confirmLabel: string;
  onConfirm(): Promise<void> | void;
  onClose(): void;
  /** Turns an error of the action into words. */
  describeFailure?(error: unknown): string;
}

/**
 * Asks before an action that cannot simply be undone (leave, remove, block, unfriend). Focus
 * starts on Cancel, so Enter alone never confirms; the action's error stays in the dialog.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose, describeFailure }: ConfirmDialogProps) {
  const descriptionId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(describeFailure ? describeFailure(failure) : 'Something went wrong. Try again.');
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} role="alertdialog" describedBy={descriptionId}>
      <FormAlert>{error}</FormAlert>
      <div id={descriptionId} className="confirm-text">
        {children}
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="danger-solid" disabled={busy} onClick={() => void confirm()}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
