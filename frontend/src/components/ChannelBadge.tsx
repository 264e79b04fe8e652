import { channelInfo } from '../lib/format';

interface Props {
  channel: string;
  /** Show the channel's name next to the badge (otherwise it is for screen readers only). */
  showLabel?: boolean;
}

export function ChannelBadge({ channel, showLabel = false }: Props) {
  const info = channelInfo(channel);
  return (
    <span class="channel" data-channel={channel} title={info.label}>
      <span class={`channel__icon channel__icon--${channel}`} aria-hidden="true">
        {info.short}
      </span>
      <span class={showLabel ? 'channel__label' : 'sr-only'}>{info.label}</span>
    </span>
  );
}
