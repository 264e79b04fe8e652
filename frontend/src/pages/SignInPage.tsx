import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { useAlerts } from '../lib/alerts';
import { saveSession } from '../session';

interface Props {
  onSignedIn(): void;
}

export function SignInPage({ onSignedIn }: Props) {
  const alerts = useAlerts();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const result = await api.login(email.trim(), password);
      saveSession(result.id_token, result.expires_in);
      alerts.clearError();
      onSignedIn();
    } catch (error) {
      // here a 401 means wrong credentials: show the server's message
      alerts.showError(errorMessage(error), 'sign-in');
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card sign-in__form" onSubmit={(event) => void onSubmit(event)}>
        <h1 class="sign-in__title">Sign in</h1>
        <label class="field">
          <span class="field__label">Email</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span class="field__label">Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        <button type="submit" class="button button--primary button--block" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
