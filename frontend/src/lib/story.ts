// The thread's story: a system line (a message with direction `system`) worded from its event in
// the reader's language (the API's `text` is the same line in English, for exports).

import type * as Api from '../api-types';
import { type Part, t, tParts } from './i18n';

export type SystemEvent = Api.SystemEvent;

/**
 * The line of a system event, e.g. "Assigned to Sam Agent by Ada Admin", in pieces: the names,
 * tags and template it names apart from the words (none for a kind this app does not know).
 */
export function storyParts(event: SystemEvent): Part[] {
  const actor = event.actor_name ?? t('story.someone');
  const agent = event.agent_name ?? event.agent_id ?? t('story.someone');
  switch (event.kind) {
    case 'picked_up':
      return tParts('story.picked_up', { actor });
    case 'assigned':
      return event.actor_name ? tParts('story.assigned', { agent, actor }) : tParts('story.assigned_automatically', { agent });
    case 'handed_back':
      return tParts('story.handed_back', { actor });
    case 'archived':
      return event.tags?.length
        ? tParts('story.archived_with_tags', { actor, tags: event.tags.join(', ') })
        : tParts('story.archived', { actor });
    case 'reopened':
      if (event.actor_name) return tParts('story.reopened_by', { actor });
      return event.agent_name ? tParts('story.reopened_to', { agent }) : tParts('story.reopened_new');
    case 'merged':
      return tParts('story.merged', { actor, from: event.merged_from ?? '', into: event.merged_into ?? '' });
    case 'opted_out':
      return tParts('story.opted_out', { detail: event.detail ?? '' });
    case 'out_of_office_sent':
      return tParts('story.out_of_office_sent');
    case 'template_window_closed':
      return tParts('story.template_window_closed', { actor, template: event.detail ?? '' });
    default:
      return [];
  }
}
