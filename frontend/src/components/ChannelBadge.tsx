import type { JSX } from 'preact';
import { channelInfo } from '../lib/format';

// One small line drawing per channel (24×24, stroked in the badge's text colour), inline so
// the app loads no icon font or image.
// Functions, not shared elements: each badge renders its own copy.
const GLYPHS: Record<string, () => JSX.Element> = {
  whatsapp: () => (
    <>
      <path d="M4 20l1.3-4.1A8 8 0 1 1 8.2 18.8z" />
      <path d="M9.2 8.6c-.2 2.9 2.6 5.9 5.7 6l1-1.4-1.8-1-1 .7a4.3 4.3 0 0 1-2.1-2.1l.7-1-1-1.8z" />
    </>
  ),
  messenger: () => (
    <>
      <path d="M12 3.5c-4.7 0-8.5 3.5-8.5 7.9 0 2.4 1.1 4.6 3 6V20l2.8-1.5c.9.3 1.8.4 2.7.4 4.7 0 8.5-3.5 8.5-7.9S16.7 3.5 12 3.5z" />
      <path d="M7.5 13.5l3.2-3.4 2.2 2 3.6-3.6" />
    </>
  ),
  instagram: () => (
    <>
      <rect x="4" y="4" width="16" height="16" rx="4.5" />
      <circle cx="12" cy="12" r="3.6" />
      <circle cx="16.9" cy="7.1" r=".6" />
    </>
  ),
  telegram: () => (
    <>
      <path d="M20.5 4.5L3.5 11.2l5.6 2 2 5.8 3.1-3.6 4.4 3.1z" />
      <path d="M9.1 13.2l7.6-5.6" />
    </>
  ),
  sms: () => (
    <>
      <path d="M5 5h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-8l-4.5 3v-3H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z" />
      <path d="M8 11h.01M12 11h.01M16 11h.01" />
    </>
  ),
  viber: () => (
    <>
      <path d="M12 3.5c4.6 0 7.5 1.9 7.5 7s-2.9 6.8-7.5 6.8h-1.3L8 20v-3.1c-2.3-.9-3.5-2.9-3.5-6.4 0-5.1 2.9-7 7.5-7z" />
      <path d="M9.5 8c-.1 2.5 2 4.6 4.5 4.6l.8-1.2-1.5-.8-.8.5a3.4 3.4 0 0 1-1.6-1.6l.5-.8-.8-1.5z" />
    </>
  ),
  email: () => (
    <>
      <rect x="3.5" y="5.5" width="17" height="13" rx="2" />
      <path d="M4 7l8 6 8-6" />
    </>
  ),
};

interface Props {
  channel: string;
  /** Show the channel's name next to the badge (otherwise it is for screen readers only). */
  showLabel?: boolean;
}

export function ChannelBadge({ channel, showLabel = false }: Props) {
  const info = channelInfo(channel);
  const glyph = GLYPHS[channel];
  return (
    <span class="channel" data-channel={channel} title={info.label}>
      <span class={`channel__icon channel__icon--${channel}`} aria-hidden="true">
        {glyph ? (
          <svg
            viewBox="0 0 24 24"
            width="16"
            height="16"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
          >
            {glyph()}
          </svg>
        ) : (
          info.short
        )}
      </span>
      <span class={showLabel ? 'channel__label' : 'sr-only'}>{info.label}</span>
    </span>
  );
}
