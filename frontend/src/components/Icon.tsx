import type { JSX } from 'preact';

// The app's symbols as small line drawings (24×24, stroked in the current text colour), inline so
// they show on any machine: emoji glyphs render as empty boxes where no emoji font is installed.
// Functions, not shared elements: each icon renders its own copy.
const DRAWINGS = {
  attach: () => <path d="M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8" />,
  smile: () => (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M8.5 14.2a4.3 4.3 0 0 0 7 0" />
      <path d="M9 9.5h.01M15 9.5h.01" />
    </>
  ),
  bolt: () => <path d="M13 2.5L5 13.5h6l-1 8 8-11h-6z" />,
  sun: () => (
    <>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4" />
    </>
  ),
  moon: () => <path d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5z" />,
  close: () => <path d="M6 6l12 12M18 6L6 18" />,
  file: () => (
    <>
      <path d="M14 3H6.5A1.5 1.5 0 0 0 5 4.5v15A1.5 1.5 0 0 0 6.5 21h11a1.5 1.5 0 0 0 1.5-1.5V8z" />
      <path d="M14 3v5h5M8.5 13h7M8.5 16.5h7" />
    </>
  ),
  pin: () => (
    <>
      <path d="M12 21s-6.5-6-6.5-11a6.5 6.5 0 0 1 13 0c0 5-6.5 11-6.5 11z" />
      <circle cx="12" cy="10" r="2.3" />
    </>
  ),
  person: () => (
    <>
      <circle cx="12" cy="8" r="3.8" />
      <path d="M4.5 20.5a7.5 7.5 0 0 1 15 0" />
    </>
  ),
  megaphone: () => <path d="M4 10v4h3l7 4.5v-13L7 10zM17 9.5a3.5 3.5 0 0 1 0 5M7 14l1.5 5.5h2.5L10 15.2" />,
  reply: () => <path d="M9.5 7L4.5 12l5 5M4.5 12H14a5.5 5.5 0 0 1 5.5 5.5V19" />,
  back: () => <path d="M15 5l-7 7 7 7" />,
  resend: () => (
    <>
      <path d="M20 12a8 8 0 1 1-2.3-5.7" />
      <path d="M20 4v5h-5" />
    </>
  ),
  help: () => (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M9.6 9.5a2.5 2.5 0 1 1 3.4 2.3c-.6.3-1 .8-1 1.5v.7M12 17h.01" />
    </>
  ),
  check: () => <path d="M5 12.5l4.5 4.5L19 7.5" />,
  keyboard: () => (
    <>
      <rect x="2.5" y="6" width="19" height="12" rx="2" />
      <path d="M6 9.5h.01M9 9.5h.01M12 9.5h.01M15 9.5h.01M18 9.5h.01M6 12.5h.01M18 12.5h.01M8.5 15h7" />
    </>
  ),
} satisfies Record<string, () => JSX.Element>;

export type IconName = keyof typeof DRAWINGS;

/** A symbol beside or inside a control; decorative (the control carries the name) unless `label` is given. */
export function Icon({ name, label, size = 18 }: { name: IconName; label?: string; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
      focusable="false"
    >
      {DRAWINGS[name]()}
    </svg>
  );
}
