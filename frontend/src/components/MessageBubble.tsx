import { useState } from 'preact/hooks';
import { failureReason } from '../lib/failures';
import { fileSize, fullTime, shortTime } from '../lib/format';
import { t, tParts } from '../lib/i18n';
import { linkify, safeHttpUrl } from '../lib/linkify';
import { USER_CONTENT, userValues } from '../lib/userContent';
import type { Attachment, MediaIssue, Message, SharedContact, SharedLocation } from '../types';
import { ChannelBadge } from './ChannelBadge';
import { Icon } from './Icon';
import { MessageStatus } from './MessageStatus';
import { Worded } from './Worded';

/** The channel and account a message came or went on (shown in threads that span channels). */
export interface RouteMarker {
  channel: string;
  account: string;
}

interface Props {
  message: Message;
  marker?: RouteMarker | null;
  /** Reads the thread again for fresh media links (a signed URL expired). */
  onMediaExpired(): void;
  /** Sends a failed reply again (absent: this agent may not reply here). */
  onResend?(message: Message): Promise<void>;
}

/**
 * One message. Everything in it comes from the customer or their provider (text, file names,
 * media links) and is untrusted: it is only rendered as text, and only http(s) URLs become
 * links (opened in a new tab without access to this one).
 */
export function MessageBubble({ message, marker = null, onMediaExpired, onResend }: Props) {
  const outbound = message.direction === 'outbound';
  const attachments = message.attachments ?? [];
  const hasText = message.text !== null && message.text !== '';
  const failed = message.status === 'failed';
  return (
    <li
      class={`message message--${message.direction}`}
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-status={message.status}
      data-kind={message.kind}
    >
      <div class={failed ? 'bubble bubble--failed' : 'bubble'}>
        {attachments.map((attachment) => (
          <AttachmentView key={attachment.key} attachment={attachment} onExpired={onMediaExpired} />
        ))}
        {(message.media_issues ?? []).map((issue) => (
          <MediaIssueNote key={issue.index} issue={issue} />
        ))}
        <KindNote message={message} hasMedia={attachments.length > 0 || (message.media_issues ?? []).length > 0} />
        {message.story && <StoryNote story={message.story} />}
        {hasText && <MessageText text={message.text ?? ''} />}
      </div>
      <div class="message__meta">
        {marker && (
          <span class="message__route" data-testid="message-route" data-channel={marker.channel}>
            <ChannelBadge channel={marker.channel} /> <span {...USER_CONTENT}>{marker.account}</span>
          </span>
        )}
        <time dateTime={message.sent_at} title={fullTime(message.sent_at)}>
          {shortTime(message.sent_at)}
        </time>
        {message.edited_at && (
          <span
            class="message__edited"
            data-testid="message-edited"
            title={t('message.edited_title', { time: fullTime(message.edited_at), before: (message.earlier_texts ?? []).join(' → ') })}
            {...userValues(...(message.earlier_texts ?? []))}
          >
            {t('message.edited')}
          </span>
        )}
        {message.reaction && (
          <span class="message__reaction" data-testid="message-reaction" {...USER_CONTENT} title={t('message.reaction')}>
            {message.reaction}
          </span>
        )}
        {outbound && <MessageStatus status={message.status} />}
      </div>
      {(failed || message.error) && <DeliveryProblem message={message} onResend={failed ? onResend : undefined} />}
    </li>
  );
}

function MessageText({ text }: { text: string }) {
  return (
    <p class="bubble__text" {...USER_CONTENT}>
      {linkify(text).map((part, index) =>
        part.href ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

/** A media object that is not here (yet): being fetched from the provider, or why it is not available. */
function MediaIssueNote({ issue }: { issue: MediaIssue }) {
  const what = mediaName(issue.content_type);
  const text =
    issue.state === 'failed'
      ? t('media.not_available', { what, reason: issue.reason || t('media.not_handed_over') })
      : issue.state === 'retrying'
        ? t('media.retrying', { what, reason: issue.reason || t('media.no_answer') })
        : t('media.fetching', { what });
  return (
    <p class="bubble__kind" data-testid="media-issue" data-state={issue.state}>
      {text}
      {issue.filename && (
        <>
          {' ('}
          <span {...USER_CONTENT}>{issue.filename}</span>)
        </>
      )}
    </p>
  );
}

function mediaName(contentType: string | null | undefined): string {
  const major = (contentType ?? '').split('/')[0];
  return t(major === 'image' ? 'media.photo' : major === 'video' ? 'media.video' : major === 'audio' ? 'media.audio' : 'media.file');
}

/** A story mention or story reply: what it is, and the story's link while it lasts. */
function StoryNote({ story }: { story: NonNullable<Message['story']> }) {
  const href = story.url ? safeHttpUrl(story.url) : null;
  return (
    <p class="bubble__kind" data-testid="story">
      <Icon name={story.kind === 'mention' ? 'megaphone' : 'reply'} size={14} />{' '}
      {story.kind === 'mention' ? t('message.story_mention') : t('message.story_reply')}
      {href && (
        <>
          {' '}
          <a href={href} target="_blank" rel="noopener noreferrer nofollow">
            {t('message.story_open')}
          </a>
        </>
      )}
    </p>
  );
}

function DeliveryProblem({ message, onResend }: { message: Message; onResend?: (message: Message) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const error = message.error;
  const failed = message.status === 'failed';
  const human = failureReason(error?.code);
  const reason = human ?? (error?.message || t('failure.generic'));
  const resend = async (): Promise<void> => {
    if (!onResend) return;
    setBusy(true);
    try {
      await onResend(message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class={failed ? 'message__error' : 'message__warning'} data-testid="message-error">
      <p>
        <strong>{failed ? t('failure.not_delivered') : t('failure.retrying')} </strong>
        <span data-testid="failure-reason">{reason}</span>
      </p>
      {error && (human || error.code) && (
        <p class="muted message__provider" data-testid="failure-provider">
          <Worded parts={tParts('failure.provider_said', { text: error.message || '', code: error.code || '' })} />
        </p>
      )}
      {onResend && (
        <button type="button" class="button button--small" disabled={busy} onClick={() => void resend()} data-testid="resend">
          <Icon name="resend" size={14} /> {t('failure.resend')}
        </button>
      )}
    </div>
  );
}

/** What a non-text message is, when it has no media to show (or more than its media says). */
function KindNote({ message, hasMedia }: { message: Message; hasMedia: boolean }) {
  switch (message.kind) {
    case 'text':
      return null;
    case 'location':
      return <LocationView location={message.location ?? null} />;
    case 'contacts':
      return <ContactsView contacts={message.contacts ?? []} />;
    case 'unsupported':
      return (
        <p class="bubble__kind" data-testid="unsupported">
          {t('message.unsupported')}
        </p>
      );
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
      return hasMedia ? null : <p class="bubble__kind">{t('message.kind_unavailable', { kind: kindName(message.kind) })}</p>;
    default:
      return <p class="bubble__kind">[{message.kind}]</p>;
  }
}

function kindName(kind: string): string {
  return t(kind === 'image' ? 'message.kind_image' : kind === 'audio' ? 'message.kind_audio' : kind === 'video' ? 'message.kind_video' : 'message.kind_document');
}

function LocationView({ location }: { location: SharedLocation | null }) {
  const valid =
    location !== null &&
    Number.isFinite(location.latitude) &&
    Number.isFinite(location.longitude) &&
    Math.abs(location.latitude) <= 90 &&
    Math.abs(location.longitude) <= 180;
  if (!valid || !location) {
    return (
      <p class="bubble__kind">
        <Icon name="pin" size={14} /> {t('message.shared_location')}
      </p>
    );
  }
  const lat = location.latitude.toFixed(6);
  const lon = location.longitude.toFixed(6);
  const href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
  return (
    <div class="shared">
      <p class="shared__title">
        <Icon name="pin" size={14} /> {location.name ? <span {...USER_CONTENT}>{location.name}</span> : t('message.location')}
      </p>
      {location.address && (
        <p class="shared__line" {...USER_CONTENT}>
          {location.address}
        </p>
      )}
      <a href={href} target="_blank" rel="noopener noreferrer">
        {lat}, {lon} {t('message.open_map')}
      </a>
    </div>
  );
}

function ContactsView({ contacts }: { contacts: SharedContact[] }) {
  if (!contacts.length) {
    return (
      <p class="bubble__kind">
        <Icon name="person" size={14} /> {t('message.shared_contact')}
      </p>
    );
  }
  return (
    <ul class="shared shared--contacts">
      {contacts.map((contact, index) => (
        <li key={index}>
          <p class="shared__title">
            <Icon name="person" size={14} /> <span {...USER_CONTENT}>{contact.name}</span>
          </p>
          {(contact.phones ?? []).map((phone) => (
            <p key={phone} class="shared__line" {...USER_CONTENT}>
              {phone}
            </p>
          ))}
          {(contact.emails ?? []).map((email) => (
            <p key={email} class="shared__line" {...USER_CONTENT}>
              {email}
            </p>
          ))}
        </li>
      ))}
    </ul>
  );
}

function AttachmentView({ attachment, onExpired }: { attachment: Attachment; onExpired(): void }) {
  const [broken, setBroken] = useState(false);
  const url = safeHttpUrl(attachment.url);
  const name = attachment.filename || t('message.attachment');
  const type = attachment.content_type.toLowerCase();
  const size = fileSize(attachment.size);

  if (!url) return <p class="bubble__kind"><Worded parts={tParts('message.no_link', { name })} /></p>;
  if (broken) {
    return (
      <p class="bubble__kind">
        <Worded parts={tParts('message.link_expired', { name })} />{' '}
        <button
          type="button"
          class="link-button"
          onClick={() => {
            setBroken(false);
            onExpired();
          }}
        >
          {t('message.load_again')}
        </button>
      </p>
    );
  }
  const onError = (): void => setBroken(true);
  if (type.startsWith('image/')) {
    return (
      <a class="media media--image" href={url} target="_blank" rel="noopener noreferrer">
        <img src={url} alt={attachment.filename || t('message.kind_image')} loading="lazy" onError={onError} />
      </a>
    );
  }
  if (type.startsWith('audio/')) {
    return <audio class="media media--audio" controls preload="metadata" src={url} onError={onError} />;
  }
  if (type.startsWith('video/')) {
    return <video class="media media--video" controls preload="metadata" src={url} onError={onError} />;
  }
  return (
    <a class="media media--file" href={url} target="_blank" rel="noopener noreferrer" download={name}>
      <Icon name="file" />
      <span class="media__name" {...USER_CONTENT}>
        {name}
      </span>
      {size && <span class="muted">{size}</span>}
    </a>
  );
}
