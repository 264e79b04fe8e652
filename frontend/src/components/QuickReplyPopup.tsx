import type { TargetedKeyboardEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { QuickReplyGroupSummary, QuickReplyItem } from '../types';
import { t } from '../lib/i18n';
import { USER_CONTENT } from '../lib/userContent';

export const QUICK_REPLY_LIST_ID = 'quick-reply-list';

export function optionId(item: QuickReplyItem): string {
  return `quick-reply-${item.id}`;
}

interface Props {
  items: QuickReplyItem[] | null;
  active: number;
  /** Shows its own search field (opened with the button or Ctrl+Q); typing `!` in the reply box does not. */
  search: string | null;
  onSearch(query: string): void;
  onActive(index: number): void;
  onPick(item: QuickReplyItem): void;
  onClose(): void;
}

/**
 * The quick replies, grouped: ↑ and ↓ move, Enter (or Tab) inserts, Escape closes, a click
 * inserts. The texts are shown as text (the placeholders as typed).
 */
export function QuickReplyPopup({ items, active, search, onSearch, onActive, onPick, onClose }: Props) {
  const field = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [groups, setGroups] = useState<QuickReplyGroupSummary[]>([]);

  useEffect(() => {
    if (search === null) return undefined;
    field.current?.focus();
    // opened once: the field keeps focus while the agent types; the groups are offered as filters
    const controller = new AbortController();
    api.quickReplyGroups(controller.signal).then(
      (answer) => setGroups(answer.items.filter((group) => group.count > 0)),
      () => undefined, // the filters only: searching still works
    );
    return () => controller.abort();
  }, []);

  useEffect(() => {
    const item = items?.[active];
    if (item) document.getElementById(optionId(item))?.scrollIntoView({ block: 'nearest' });
  }, [items, active]);

  useEffect(() => {
    const onPointer = (event: PointerEvent): void => {
      const popup = list.current?.closest('.quick-replies');
      if (popup && !popup.contains(event.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [onClose]);

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLInputElement>): void => {
    if (handlePopupKey(event, items, active, onActive, onPick, onClose)) event.preventDefault();
  };

  const current = items?.[active];
  let group = '';
  return (
    <div class="quick-replies card" data-testid="quick-replies">
      {search !== null && (
        <input
          ref={field}
          type="search"
          aria-label={t('quick.search')}
          aria-controls={QUICK_REPLY_LIST_ID}
          aria-activedescendant={current ? optionId(current) : undefined}
          placeholder={t('quick.popup_placeholder')}
          value={search}
          onInput={(event) => onSearch(event.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
      )}
      {search !== null && groups.length > 0 && (
        <div class="suggestions" role="group" aria-label={t('quick.groups')}>
          {groups.map((item) => (
            <button
              key={item.id}
              type="button"
              class="chip chip--button"
              data-testid="quick-reply-group-filter"
              aria-pressed={search.trim().toLowerCase() === item.shortcut.toLowerCase()}
              onClick={() => {
                onSearch(item.shortcut);
                field.current?.focus();
              }}
            >
              <span {...USER_CONTENT}>{item.name}</span> <span class="muted">({item.count})</span>
            </button>
          ))}
        </div>
      )}
      <ul ref={list} class="quick-replies__list" id={QUICK_REPLY_LIST_ID} role="listbox" aria-label={t('reply.quick_replies')}>
        {items === null && <li class="muted pad">{t('app.loading')}</li>}
        {items?.length === 0 && <li class="muted pad">{t('quick.no_match')}</li>}
        {items?.map((item, index) => {
          const heading = item.group !== group;
          group = item.group;
          return [
            heading && (
              <li key={`group-${item.group_id}`} role="presentation" class="quick-replies__group" {...USER_CONTENT}>
                {item.group}
              </li>
            ),
            <li
              key={item.id}
              id={optionId(item)}
              role="option"
              aria-selected={index === active}
              class="quick-replies__item"
              data-testid="quick-reply-option"
              onPointerDown={(event) => event.preventDefault()}
              onPointerEnter={() => onActive(index)}
              onClick={() => onPick(item)}
            >
              <span class="quick-replies__shortcut" {...USER_CONTENT}>
                {item.shortcut}
              </span>
              <span class="quick-replies__text" {...USER_CONTENT}>
                {item.text}
              </span>
            </li>,
          ];
        })}
      </ul>
    </div>
  );
}

/** The popup's keys, from its search field or from the reply box; true when the key was used. */
export function handlePopupKey(
  event: KeyboardEvent,
  items: QuickReplyItem[] | null,
  active: number,
  onActive: (index: number) => void,
  onPick: (item: QuickReplyItem) => void,
  onClose: () => void,
): boolean {
  const count = items?.length ?? 0;
  if (event.key === 'Escape') {
    onClose();
    return true;
  }
  if (event.key === 'ArrowDown' && count) {
    onActive((active + 1) % count);
    return true;
  }
  if (event.key === 'ArrowUp' && count) {
    onActive((active - 1 + count) % count);
    return true;
  }
  if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.isComposing) {
    const item = items?.[active];
    if (!item) return event.key === 'Enter';
    onPick(item);
    return true;
  }
  return false;
}
