import { t } from '../lib/i18n';
import { Icon } from './Icon';
import { channelInfo, fileSize } from '../lib/format';
import { USER_CONTENT, userValues } from '../lib/userContent';
import type { ChannelCapabilities } from '../types';

export interface PendingFile {
  id: string;
  file: File;
  /** An object URL for an image preview (revoked when the file is removed or sent). */
  preview: string | null;
}

/** Why this channel cannot carry the file, or null when it can (or its limits are unknown). */
export function fileProblem(file: File, capabilities: ChannelCapabilities | null): string | null {
  if (!capabilities) return null;
  const label = channelInfo(capabilities.channel).label;
  if (capabilities.max_attachments === 0) return t('files.no_files', { channel: label });
  const type = (file.type || '').toLowerCase();
  const media = capabilities.media.find((entry) => entry.content_type === type);
  if (!media) return t('files.kind_refused', { channel: label, type: type || t('files.unknown_type') });
  if (file.size <= 0) return t('files.empty');
  if (file.size > media.max_bytes) {
    return t('files.too_large', { channel: label, size: fileSize(file.size), max: fileSize(media.max_bytes), type });
  }
  return null;
}

/** Why the files of a reply cannot go together: in full for the files, short for the Send line. */
export interface FilesProblem {
  detail: string;
  short: string;
}

/**
 * Why these files cannot go together in one reply, or null when they can (as far as the app
 * knows): no media between this conversation's numbers (`media_refusal` of the conversation:
 * SMS pictures outside the channel's `media_countries`), or more than the channel takes per
 * message (`max_total_media_bytes`). The API refuses both; this says so before sending.
 */
export function filesProblem(
  files: readonly PendingFile[],
  capabilities: ChannelCapabilities | null,
  mediaRefusal: string | null,
): FilesProblem | null {
  if (files.length === 0) return null;
  // the API's own words: they name the countries and the number outside them
  if (mediaRefusal) {
    return {
      detail: t('files.refused_detail', { reason: mediaRefusal }),
      short: t('files.refused_short'),
    };
  }
  const limit = capabilities?.max_total_media_bytes;
  const total = files.reduce((sum, pending) => sum + pending.file.size, 0);
  if (capabilities && limit != null && total > limit) {
    const label = channelInfo(capabilities.channel).label;
    return {
      detail: t('files.total_detail', { channel: label, size: fileSize(total), max: fileSize(limit) }),
      short: t('files.total_short', { channel: label }),
    };
  }
  return null;
}

interface Props {
  files: PendingFile[];
  max: number;
  capabilities: ChannelCapabilities | null;
  /** What keeps the files as a whole from going (see filesProblem). */
  problem: FilesProblem | null;
  disabled: boolean;
  onRemove(id: string): void;
}

/**
 * The files to send with the reply, with a preview and a warning on each the channel cannot
 * carry, and one over them all when they cannot go together.
 */
export function AttachmentPanel({ files, max, capabilities, problem: together, disabled, onRemove }: Props) {
  const total = files.reduce((sum, pending) => sum + pending.file.size, 0);
  return (
    <section class="attachments" aria-label={t('files.label')} data-testid="attachments">
      <h4 class="attachments__title">
        {t('files.title', { count: files.length, max })}{' '}
        <span class="muted">
          · {fileSize(total)}
          {capabilities?.max_total_media_bytes != null && ` ${t('files.of_per_message', { max: fileSize(capabilities.max_total_media_bytes) })}`}
        </span>
      </h4>
      {together && (
        <p class="attachment__warning attachments__warning" data-testid="attachments-warning">
          {together.detail}
        </p>
      )}
      <ul class="attachments__list">
        {files.map((pending) => {
          const problem = fileProblem(pending.file, capabilities);
          return (
            <li key={pending.id} class={problem ? 'attachment attachment--refused' : 'attachment'} data-testid="attachment">
              {pending.preview ? (
                <img class="attachment__preview" src={pending.preview} alt="" />
              ) : (
                <span class="attachment__preview attachment__preview--file" aria-hidden="true">
                  <Icon name="file" size={28} />
                </span>
              )}
              <span class="attachment__body">
                <span class="attachment__name" {...USER_CONTENT}>
                  {pending.file.name}
                </span>
                <span class="muted">{fileSize(pending.file.size)}</span>
                {problem && (
                  <span class="attachment__warning" data-testid="attachment-warning">
                    {problem}
                  </span>
                )}
              </span>
              <button
                type="button"
                class="button button--quiet"
                aria-label={t('files.remove', { name: pending.file.name })}
                {...userValues(pending.file.name)}
                disabled={disabled}
                onClick={() => onRemove(pending.id)}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
