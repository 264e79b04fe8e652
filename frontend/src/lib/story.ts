// The thread's story: a system line (a message with direction `system`) worded from its event in
// the reader's language (the API's `text` is the same line in English, for exports).

import type * as Api from '../api-types';
import { t } from './i18n';

export type SystemEvent = Api.SystemEvent;

/** The line of a system event, e.g. "Assigned to Sam Agent by Ada Admin". */
export function storyText(event: SystemEvent): string {
  const actor = event.actor_name ?? t('story.someone');
  const agent = event.agent_name ?? event.agent_id ?? t('story.someone');
  switch (event.kind) {
    case 'picked_up':
      return t('story.picked_up', { actor });
    case 'assigned':
      return event.actor_name ? t('story.assigned', { agent, actor }) : t('story.assigned_automatically', { agent });
    case 'handed_back':
      return t('story.handed_back', { actor });
    case 'archived':
      return event.tags?.length
        ? t('story.archived_with_tags', { actor, tags: event.tags.join(', ') })
        : t('story.archived', { actor });
    case 'reopened':
      if (event.actor_name) return t('story.reopened_by', { actor });
      return event.agent_name ? t('story.reopened_to', { agent }) : t('story.reopened_new');
    case 'merged':
      return t('story.merged', { actor, from: event.merged_from ?? '', into: event.merged_into ?? '' });
    case 'opted_out':
      return t('story.opted_out', { detail: event.detail ?? '' });
    case 'out_of_office_sent':
      return t('story.out_of_office_sent');
    case 'template_window_closed':
      return t('story.template_window_closed', { actor, template: event.detail ?? '' });
    default:
      return '';
  }
}
