import { statusLabel } from '../lib/format';
import type { MessageStatus as Status } from '../types';

/** Queued (clock), sent (one tick), delivered (two), read (two, coloured), failed (!). */
function Glyph({ status }: { status: Status }) {
  const common = {
    viewBox: '0 0 20 12',
    width: 18,
    height: 11,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': 1.7,
    'stroke-linecap': 'round' as const,
    'stroke-linejoin': 'round' as const,
  };
  switch (status) {
    case 'queued':
      return (
        <svg {...common} viewBox="0 0 12 12" width={11}>
          <circle cx="6" cy="6" r="4.6" />
          <path d="M6 3.5V6l1.6 1.2" />
        </svg>
      );
    case 'sent':
      return (
        <svg {...common}>
          <path d="M2 6.5l3 3 6-7" />
        </svg>
      );
    case 'delivered':
    case 'read':
      return (
        <svg {...common}>
          <path d="M1.5 6.5l3 3 6-7M9 9.5l6.5-7.5" />
        </svg>
      );
    case 'failed':
      return (
        <svg {...common} viewBox="0 0 12 12" width={11}>
          <circle cx="6" cy="6" r="4.6" />
          <path d="M6 3.5v3M6 8.5h.01" />
        </svg>
      );
    default:
      return null;
  }
}

/** The delivery status of a message we sent: ticks, with the word for screen readers and tooltips. */
export function MessageStatus({ status }: { status: Status }) {
  const label = statusLabel(status);
  return (
    <span class={`status status--${status}`} data-testid="message-status" title={label}>
      <Glyph status={status} />
      <span class="status__label">{label}</span>
    </span>
  );
}
