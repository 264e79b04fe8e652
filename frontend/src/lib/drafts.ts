// Reply drafts kept per conversation in this browser (localStorage), so a reload, a renewed
// session or a second tab finds what the agent was typing. Sending clears the draft; signing
// out clears every draft (another person may use this browser next).

const PREFIX = 'inbox.draft.';

function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function loadDraft(conversationId: string): string {
  return store()?.getItem(PREFIX + conversationId) ?? '';
}

export function saveDraft(conversationId: string, text: string): void {
  const storage = store();
  if (!storage) return;
  try {
    if (text) storage.setItem(PREFIX + conversationId, text);
    else storage.removeItem(PREFIX + conversationId);
  } catch {
    // storage full: the draft lives in the page only
  }
}

export function clearAllDrafts(): void {
  const storage = store();
  if (!storage) return;
  for (const key of Object.keys(storage)) if (key.startsWith(PREFIX)) storage.removeItem(key);
}
