import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../lib/i18n';

interface Props {
  title: string;
  /** Called when the dialog closes (Escape, the Close button). */
  onClose(): void;
  children: ComponentChildren;
  testId?: string;
}

/**
 * A modal dialog on the native <dialog> element: the browser keeps focus inside it, Escape
 * closes it, and focus goes back to where it was when it closes.
 */
export function Dialog({ title, onClose, children, testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const onClosed = (): void => onCloseRef.current();
    dialog.addEventListener('close', onClosed);
    return () => {
      dialog.removeEventListener('close', onClosed);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const titleId = `dialog-title-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} class="dialog card" aria-labelledby={titleId} data-testid={testId}>
      <div class="dialog__head">
        <h2 id={titleId} class="dialog__title">
          {title}
        </h2>
        <button type="button" class="button button--quiet" onClick={() => ref.current?.close()}>
          {t('common.close')}
        </button>
      </div>
      <div class="dialog__body">{children}</div>
    </dialog>
  );
}
