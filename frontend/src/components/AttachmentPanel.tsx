import { channelInfo, fileSize } from '../lib/format';
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
  if (capabilities.max_attachments === 0) return `${label} cannot carry files.`;
  const type = (file.type || '').toLowerCase();
  const media = capabilities.media.find((entry) => entry.content_type === type);
  if (!media) return `${label} cannot carry this kind of file (${type || 'unknown type'}).`;
  if (file.size <= 0) return 'The file is empty.';
  if (file.size > media.max_bytes) {
    return `Too large for ${label}: ${fileSize(file.size)}, at most ${fileSize(media.max_bytes)} for ${type}.`;
  }
  return null;
}

interface Props {
  files: PendingFile[];
  max: number;
  capabilities: ChannelCapabilities | null;
  disabled: boolean;
  onRemove(id: string): void;
}

/** The files to send with the reply, with a preview and a warning on each the channel cannot carry. */
export function AttachmentPanel({ files, max, capabilities, disabled, onRemove }: Props) {
  return (
    <section class="attachments" aria-label="Files to send" data-testid="attachments">
      <h4 class="attachments__title">
        Files ({files.length}/{max})
      </h4>
      <ul class="attachments__list">
        {files.map((pending) => {
          const problem = fileProblem(pending.file, capabilities);
          return (
            <li key={pending.id} class={problem ? 'attachment attachment--refused' : 'attachment'} data-testid="attachment">
              {pending.preview ? (
                <img class="attachment__preview" src={pending.preview} alt="" />
              ) : (
                <span class="attachment__preview attachment__preview--file" aria-hidden="true">
                  📄
                </span>
              )}
              <span class="attachment__body">
                <span class="attachment__name">{pending.file.name}</span>
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
                aria-label={`Remove ${pending.file.name}`}
                disabled={disabled}
                onClick={() => onRemove(pending.id)}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
