// The place in the app, kept in the URL hash ("#/new", "#/mine/<conversation id>") so a
// reload keeps it and the same static files work wherever they are served.

import { useEffect, useState } from 'preact/hooks';
import type { InboxView } from '../types';

export interface Route {
  view: InboxView;
  conversationId: string | null;
}

const VIEWS: readonly InboxView[] = ['new', 'mine', 'all'];

export function parseHash(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.find((candidate) => candidate === view);
  let conversationId: string | null = null;
  if (known && id) {
    try {
      conversationId = decodeURIComponent(id);
    } catch {
      conversationId = null;
    }
  }
  return { view: known ?? 'new', conversationId };
}

export function formatHash(route: Route): string {
  return route.conversationId
    ? `#/${route.view}/${encodeURIComponent(route.conversationId)}`
    : `#/${route.view}`;
}

export function navigate(route: Route): void {
  const hash = formatHash(route);
  if (window.location.hash !== hash) window.location.hash = hash;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
