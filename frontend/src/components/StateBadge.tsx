import { stateLabel } from '../lib/format';
import type { ConversationState } from '../types';

export function StateBadge({ state }: { state: ConversationState }) {
  return <span class={`state state--${state}`}>{stateLabel(state)}</span>;
}
