// The signed-in session: the id token (and when it expires) in sessionStorage, so it lasts
// for this browser tab only and is gone when the tab closes. The refresh token is not kept.

const TOKEN_KEY = 'inbox.id_token';
const EXPIRES_KEY = 'inbox.expires_at';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the session lasts until reload
  }
}

let memoryToken: string | null = null;

export function getToken(): string | null {
  const store = storage();
  if (!store) return memoryToken;
  const token = store.getItem(TOKEN_KEY);
  const expiresAt = Number(store.getItem(EXPIRES_KEY) ?? '0');
  if (token && expiresAt && Date.now() >= expiresAt) {
    clearSession();
    return null;
  }
  return token;
}

export function saveSession(idToken: string, expiresInSeconds: number): void {
  memoryToken = idToken;
  const store = storage();
  if (!store) return;
  store.setItem(TOKEN_KEY, idToken);
  if (Number.isFinite(expiresInSeconds) && expiresInSeconds > 0) {
    store.setItem(EXPIRES_KEY, String(Date.now() + expiresInSeconds * 1000));
  } else {
    store.removeItem(EXPIRES_KEY);
  }
}

export function clearSession(): void {
  memoryToken = null;
  const store = storage();
  store?.removeItem(TOKEN_KEY);
  store?.removeItem(EXPIRES_KEY);
}
