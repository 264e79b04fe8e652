import type { Part } from '../lib/i18n';
import { USER_CONTENT } from '../lib/userContent';

/** A filled text (`tParts`): the catalogue's words as they are, each value filled in marked as data. */
export function Worded({ parts }: { parts: Part[] }) {
  return (
    <>
      {parts.map((part, index) =>
        'words' in part ? (
          part.words
        ) : (
          <span key={index} {...USER_CONTENT}>
            {part.value}
          </span>
        ),
      )}
    </>
  );
}
