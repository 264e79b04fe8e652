import type { TargetedKeyboardEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../lib/i18n';

/** A small built-in set (no emoji data is downloaded). */
export const EMOJI: readonly { char: string; name: string }[] = [
  { char: '😀', name: 'grinning face' },
  { char: '😊', name: 'smiling face' },
  { char: '😉', name: 'winking face' },
  { char: '😂', name: 'tears of joy' },
  { char: '🙂', name: 'slightly smiling face' },
  { char: '😍', name: 'heart eyes' },
  { char: '🤔', name: 'thinking face' },
  { char: '😅', name: 'sweat smile' },
  { char: '😢', name: 'crying face' },
  { char: '😮', name: 'surprised face' },
  { char: '🙏', name: 'folded hands' },
  { char: '👍', name: 'thumbs up' },
  { char: '👎', name: 'thumbs down' },
  { char: '👋', name: 'waving hand' },
  { char: '👏', name: 'clapping hands' },
  { char: '💪', name: 'flexed biceps' },
  { char: '❤️', name: 'red heart' },
  { char: '✅', name: 'check mark' },
  { char: '❌', name: 'cross mark' },
  { char: '⭐', name: 'star' },
  { char: '🎉', name: 'party popper' },
  { char: '🔥', name: 'fire' },
  { char: '📦', name: 'package' },
  { char: '🚚', name: 'delivery truck' },
  { char: '📞', name: 'telephone' },
  { char: '📧', name: 'email' },
  { char: '📅', name: 'calendar' },
  { char: '⏰', name: 'alarm clock' },
  { char: '💳', name: 'credit card' },
  { char: '🔒', name: 'lock' },
  { char: 'ℹ️', name: 'information' },
  { char: '⚠️', name: 'warning' },
];

const COLUMNS = 8;

interface Props {
  onPick(emoji: string): void;
  onClose(): void;
}

/**
 * A grid of emoji buttons. Arrow keys move between them, Enter or a click inserts one,
 * Escape (or Tab out of the grid) closes it.
 */
export function EmojiPicker({ onPick, onClose }: Props) {
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    grid.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onPointer = (event: PointerEvent): void => {
      if (grid.current && !grid.current.contains(event.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [onClose]);

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    const buttons = Array.from(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
    };
    let next = -1;
    if (event.key in moves) next = index + (moves[event.key] ?? 0);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = buttons.length - 1;
    else if (event.key === 'Tab') {
      onClose();
      return;
    }
    const target = buttons[next];
    if (!target) return;
    event.preventDefault();
    target.focus();
  };

  return (
    <div
      class="emoji card"
      role="group"
      aria-label={t('reply.emoji_list')}
      ref={grid}
      onKeyDown={onKeyDown}
      data-testid="emoji-picker"
    >
      {EMOJI.map((emoji, index) => (
        <button
          key={emoji.char}
          type="button"
          class="emoji__item"
          aria-label={emoji.name}
          title={emoji.name}
          tabIndex={index === 0 ? 0 : -1}
          onClick={() => onPick(emoji.char)}
        >
          {emoji.char}
        </button>
      ))}
    </div>
  );
}
