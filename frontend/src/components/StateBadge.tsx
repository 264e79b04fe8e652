import type { ConversationState } from '../types';

export function StateBadge({ state }: { state: ConversationState }) {
  return <span class={`state state--${state}`}>{state}</span>;
}
