// The keyboard shortcuts of the seed's agent guide, in one registry. A component that can do
// an action registers a handler for it while it is mounted (`useShortcut`); one keydown listener
// (`useShortcutListener`) finds the shortcut and runs the newest handler. Actions whose API does
// not exist yet are marked `planned`: their keys answer "not available yet" until a handler is
// registered for them. (Every action of the seed's list has its API now; the flag stays for the
// next one.)

import { t } from './i18n';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

export type ShortcutId =
  | 'assign'
  | 'copy'
  | 'handback'
  | 'tag'
  | 'export'
  | 'quick-reply'
  | 'shortcuts'
  | 'archive'
  | 'info'
  | 'availability';

export interface ShortcutDef {
  id: ShortcutId;
  /** What the action does, as listed in the shortcuts dialog and the actions menu. */
  label: string;
  /** The keys, one entry per key to press together. */
  keys: readonly string[];
  /** Extra instruction after the keys ("then ↑ or ↓ then Enter"). */
  then?: string;
  /** Needs an open conversation. */
  conversation: boolean;
  /** Its API does not exist yet. */
  planned?: boolean;
  matches(event: KeyboardEvent): boolean;
}

/**
 * Alt+<letter>. The letter is read from `key` when it is a plain letter (any keyboard layout)
 * and from the physical key otherwise (macOS turns Alt+A into "å").
 */
function altLetter(letter: string): (event: KeyboardEvent) => boolean {
  return (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return false;
    const key = event.key.toLowerCase();
    if (/^[a-z]$/.test(key)) return key === letter;
    return event.code === `Key${letter.toUpperCase()}`;
  };
}

export const SHORTCUTS: readonly ShortcutDef[] = [
  { id: 'assign', get label() {
      return t('shortcut.assign');
    }, keys: ['Alt', 'A'], conversation: true, matches: altLetter('a') },
  { id: 'copy', get label() {
      return t('shortcut.copy');
    }, keys: ['Alt', 'C'], conversation: true, matches: altLetter('c') },
  {
    id: 'handback',
    get label() {
      return t('shortcut.handback');
    },
    keys: ['Alt', 'H'],
    conversation: true,
    matches: altLetter('h'),
  },
  { id: 'tag', get label() {
      return t('shortcut.tag');
    }, keys: ['Alt', 'T'], conversation: true, matches: altLetter('t') },
  {
    id: 'export',
    get label() {
      return t('shortcut.export');
    },
    keys: ['Alt', 'X'],
    conversation: true,
    matches: altLetter('x'),
  },
  {
    id: 'quick-reply',
    get label() {
      return t('shortcut.quick_reply');
    },
    keys: ['Ctrl', 'Q'],
    get then() {
      return t('shortcut.quick_reply_then');
    },
    conversation: true,
    matches: (event) =>
      event.ctrlKey && !event.altKey && !event.metaKey && (event.key.toLowerCase() === 'q' || event.code === 'KeyQ'),
  },
  {
    id: 'shortcuts',
    get label() {
      return t('shortcut.shortcuts');
    },
    keys: ['Shift', 'Alt', '?'],
    conversation: false,
    matches: (event) =>
      event.altKey && !event.ctrlKey && !event.metaKey && (event.key === '?' || (event.shiftKey && event.code === 'Slash')),
  },
  {
    id: 'archive',
    get label() {
      return t('shortcut.archive');
    },
    keys: ['Alt', 'R'],
    conversation: true,
    matches: altLetter('r'),
  },
  { id: 'info', get label() {
      return t('shortcut.info');
    }, keys: ['Alt', 'I'], conversation: true, matches: altLetter('i') },
  {
    id: 'availability',
    get label() {
      return t('shortcut.availability');
    },
    keys: ['Alt', 'S'],
    conversation: false,
    matches: altLetter('s'),
  },
];

export function shortcut(id: ShortcutId): ShortcutDef {
  const found = SHORTCUTS.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`unknown shortcut ${id}`);
  return found;
}

/** "Alt+A": for aria-keyshortcuts and titles. */
export function keysText(def: ShortcutDef): string {
  return def.keys.join('+');
}

type Handler = () => void;
const handlers = new Map<ShortcutId, Handler[]>();

/** Runs the action now, as its keys would (the actions menu uses this). */
export function runShortcut(id: ShortcutId, notify: (message: string) => void): void {
  const stack = handlers.get(id);
  const handler = stack?.[stack.length - 1];
  if (handler) {
    handler();
    return;
  }
  const def = shortcut(id);
  if (def.planned) notify(t('shortcut.planned', { label: def.label }));
  else if (def.conversation) notify(t('shortcut.select_first'));
}

/** Registers `handler` for the shortcut while the component is mounted (null: none now). */
export function useShortcut(id: ShortcutId, handler: Handler | null): void {
  const latest = useRef(handler);
  latest.current = handler;
  const active = handler !== null;
  // Registered before the browser paints (a layout effect): once the action's button shows, its
  // keys work; a plain effect left a moment after the paint in which Alt+A found no handler.
  useLayoutEffect(() => {
    if (!active) return undefined;
    const registered: Handler = () => latest.current?.();
    const stack = handlers.get(id) ?? [];
    stack.push(registered);
    handlers.set(id, stack);
    return () => {
      const current = handlers.get(id) ?? [];
      handlers.set(
        id,
        current.filter((entry) => entry !== registered),
      );
    };
  }, [id, active]);
}

/** The one keydown listener of the signed-in app. */
export function useShortcutListener(notify: (message: string) => void): void {
  const notifyRef = useRef(notify);
  notifyRef.current = notify;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.isComposing || event.repeat) return;
      if (!event.altKey && !event.ctrlKey) return;
      const def = SHORTCUTS.find((candidate) => candidate.matches(event));
      if (!def) return;
      // A modal dialog (shortcut list, future pickers) owns the keyboard until it closes.
      if (document.querySelector('dialog[open]') && def.id !== 'shortcuts') return;
      event.preventDefault();
      runShortcut(def.id, notifyRef.current);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
