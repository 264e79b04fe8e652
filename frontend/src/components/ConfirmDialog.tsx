import { useCallback, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { t } from '../lib/i18n';
import { Dialog } from './Dialog';

export interface Confirmation {
  title: string;
  /** What will happen, in plain words (who loses access, what is deleted, what changes). */
  effect: string;
  /** The button that does it, named by what it does ("Disable user", "Delete group"). */
  action: string;
}

interface Pending extends Confirmation {
  resolve(confirmed: boolean): void;
}

/**
 * A confirmation that names the effect of a destructive action before it runs. `ask()` opens the
 * dialog and resolves true when the action button is pressed, false on Cancel, Close or Escape.
 */
export function useConfirm(): [JSX.Element | null, (question: Confirmation) => Promise<boolean>] {
  const [pending, setPending] = useState<Pending | null>(null);
  const ask = useCallback(
    (question: Confirmation) => new Promise<boolean>((resolve) => setPending({ ...question, resolve })),
    [],
  );
  const answer = (confirmed: boolean): void => {
    pending?.resolve(confirmed);
    setPending(null);
  };
  const element = pending && (
    <Dialog title={pending.title} testId="confirm-dialog" onClose={() => answer(false)}>
      <p data-testid="confirm-effect">{pending.effect}</p>
      <div class="dialog__actions">
        <button type="button" class="button" onClick={() => answer(false)}>
          {t('common.cancel')}
        </button>
        <button type="button" class="button button--danger" onClick={() => answer(true)}>
          {pending.action}
        </button>
      </div>
    </Dialog>
  );
  return [element, ask];
}
