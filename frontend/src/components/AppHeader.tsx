import type { Me } from '../types';

interface Props {
  me: Me | null;
  onSignOut(): void;
}

export function AppHeader({ me, onSignOut }: Props) {
  return (
    <header class="app-header">
      <span class="app-header__title">Inbox</span>
      <span class="app-header__spacer" />
      {me && (
        <span class="app-header__user" title={me.user.email}>
          <span data-testid="current-user">{me.user.display_name}</span>
        </span>
      )}
      <button type="button" class="button button--quiet" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
