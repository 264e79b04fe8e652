import type { TargetedKeyboardEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAlerts } from '../lib/alerts';
import { type ShortcutId, keysText, runShortcut, shortcut } from '../lib/shortcuts';
import { t } from '../lib/i18n';

/** The conversation actions, in the seed's order; each runs exactly what its shortcut runs. */
export const CONVERSATION_ACTIONS: readonly ShortcutId[] = [
  'assign',
  'handback',
  'tag',
  'archive',
  'export',
  'copy',
  'info',
];

/**
 * The "Actions" menu button: each item shows its keyboard shortcut next to it. Arrow keys move
 * through the items, Escape closes the menu and returns focus to the button.
 */
export function ActionsMenu() {
  const alerts = useAlerts();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = (): void => {
    setOpen(false);
    button.current?.focus();
  };

  const choose = (id: ShortcutId): void => {
    close();
    runShortcut(id, alerts.notify);
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDivElement>): void => {
    const items = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    let next = -1;
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (event.key === 'Tab') {
      setOpen(false);
      return;
    }
    if (event.key === 'ArrowDown') next = (index + 1) % items.length;
    else if (event.key === 'ArrowUp') next = (index - 1 + items.length) % items.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    const target = items[next];
    if (!target) return;
    event.preventDefault();
    target.focus();
  };

  return (
    <div class="menu-anchor">
      <button
        type="button"
        ref={button}
        class="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="conversation-actions"
        onClick={() => setOpen((value) => !value)}
      >
        {t('actions.title')} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div
          class="menu card"
          role="menu"
          id="conversation-actions"
          aria-label={t('actions.title')}
          ref={menu}
          onKeyDown={onKeyDown}
        >
          {CONVERSATION_ACTIONS.map((id) => {
            const def = shortcut(id);
            return (
              <button
                key={id}
                type="button"
                role="menuitem"
                class="menu__item"
                tabIndex={-1}
                aria-disabled={def.planned ? 'true' : undefined}
                aria-keyshortcuts={keysText(def)}
                onClick={() => choose(id)}
              >
                <span>
                  {def.label}
                  {def.planned && <span class="sr-only"> {t('shortcut.not_yet')}</span>}
                </span>
                <kbd class="menu__keys">{def.keys.join('+')}</kbd>
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
