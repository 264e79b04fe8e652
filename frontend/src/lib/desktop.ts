// Desktop notifications through the browser's Notification API, and the unseen-arrivals
// marker in the tab title ("(3) Inbox").

export const BASE_TITLE = 'Inbox';

export type NotificationSupport = 'unsupported' | NotificationPermission;

export function notificationSupport(): NotificationSupport {
  return typeof window.Notification === 'function' ? window.Notification.permission : 'unsupported';
}

/** Asks the browser for permission if it has not been asked yet; true when notifications may show. */
export async function ensurePermission(): Promise<boolean> {
  const support = notificationSupport();
  if (support === 'unsupported' || support === 'denied') return false;
  if (support === 'granted') return true;
  try {
    return (await window.Notification.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

/**
 * Shows one notification (title and body are plain text for the system). Clicking it brings
 * this tab forward and runs `onClick`. Returns false when the browser does not allow it.
 */
export function showNotification(
  title: string,
  options: { body: string; tag?: string; onClick?: () => void },
): boolean {
  if (notificationSupport() !== 'granted') return false;
  try {
    const notification = new window.Notification(title, {
      body: options.body,
      ...(options.tag ? { tag: options.tag } : {}),
    });
    notification.onclick = () => {
      window.focus();
      options.onClick?.();
      notification.close();
    };
    return true;
  } catch {
    return false; // e.g. Android Chrome, which only shows notifications from a service worker
  }
}

export function setTitleMarker(unseen: number): void {
  const title = unseen > 0 ? `(${unseen > 99 ? '99+' : unseen}) ${BASE_TITLE}` : BASE_TITLE;
  if (document.title !== title) document.title = title;
}
