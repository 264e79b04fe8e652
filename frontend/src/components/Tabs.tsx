import type { TargetedKeyboardEvent } from 'preact';

export interface TabItem<T extends string> {
  id: T;
  label: string;
  /** Shown after the label ("12", "50+"); absent until known. */
  count?: string | undefined;
}

interface Props<T extends string> {
  label: string;
  items: readonly TabItem<T>[];
  selected: T;
  /** The id of the element the tabs control (role="tabpanel"). */
  panelId: string;
  onSelect(id: T): void;
}

export function tabId(id: string): string {
  return `tab-${id}`;
}

/** A tab list with roving focus: arrow keys, Home and End move between tabs. */
export function Tabs<T extends string>({ label, items, selected, panelId, onSelect }: Props<T>) {
  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDivElement>): void => {
    const index = items.findIndex((item) => item.id === selected);
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % items.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + items.length) % items.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    const target = items[next];
    if (!target) return;
    event.preventDefault();
    onSelect(target.id);
    document.getElementById(tabId(target.id))?.focus();
  };

  return (
    <div class="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {items.map((item) => {
        const isSelected = item.id === selected;
        return (
          <button
            key={item.id}
            type="button"
            role="tab"
            id={tabId(item.id)}
            class="tab"
            aria-selected={isSelected}
            aria-controls={panelId}
            tabIndex={isSelected ? 0 : -1}
            data-view={item.id}
            onClick={() => onSelect(item.id)}
          >
            {item.label}
            {item.count !== undefined && (
              <span class="tab__count" data-testid="tab-count">
                {item.count}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
