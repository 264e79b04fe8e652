import type { ComponentChildren, TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { useAlerts } from '../lib/alerts';
import { startSession } from '../session';
import type { SignInResult } from '../types';

interface Props {
  onSignedIn(): void;
}

type Step =
  | { kind: 'credentials' }
  | { kind: 'new-password'; session: string }
  | { kind: 'mfa'; session: string }
  | { kind: 'forgot' }
  | { kind: 'reset' };

// The user pool's policy (shared/user_pool.py), said before the pool says it.
export const PASSWORD_RULE = 'At least 12 characters with an upper-case letter, a lower-case letter, a digit and a symbol.';

function Field(props: {
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  value: string;
  onInput(value: string): void;
  hint?: string;
  inputMode?: 'numeric';
  pattern?: string;
}) {
  const hintId = props.hint ? `${props.name}-hint` : undefined;
  return (
    <div class="field">
      <label class="field__label" for={props.name}>
        {props.label}
      </label>
      <input
        {...({ type: props.type ?? 'text' } as { type: 'text' })}
        id={props.name}
        name={props.name}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        pattern={props.pattern}
        aria-describedby={hintId}
        required
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.hint && (
        <span class="muted field__hint" id={hintId}>
          {props.hint}
        </span>
      )}
    </div>
  );
}

export function SignInPage({ onSignedIn }: Props) {
  const alerts = useAlerts();
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [code, setCode] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const go = (next: Step): void => {
    alerts.clearError('sign-in');
    setCode('');
    setNewPassword('');
    setRepeated('');
    setStep(next);
  };

  const follow = (result: SignInResult): void => {
    if (result.id_token && result.access_token && result.expires_in) {
      startSession({ id_token: result.id_token, access_token: result.access_token, expires_in: result.expires_in });
      alerts.clearError();
      onSignedIn();
    } else if (result.challenge === 'NEW_PASSWORD_REQUIRED' && result.session) {
      setNotice('Welcome! Choose your own password to finish signing in.');
      go({ kind: 'new-password', session: result.session });
    } else if (result.challenge === 'SOFTWARE_TOKEN_MFA' && result.session) {
      setNotice(null);
      go({ kind: 'mfa', session: result.session });
    }
  };

  const run = async (action: () => Promise<void>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    try {
      await action();
    } catch (error) {
      // here a 401 means wrong credentials, an expired invitation or a stale step: the server says which
      alerts.showError(errorMessage(error), 'sign-in');
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const address = email.trim();
    void run(async () => {
      switch (step.kind) {
        case 'credentials':
          follow(await api.login(address, password));
          break;
        case 'new-password':
          if (newPassword !== repeated) throw new Error('The two passwords differ.');
          follow(await api.answerChallenge('NEW_PASSWORD_REQUIRED', address, step.session, newPassword));
          break;
        case 'mfa':
          follow(await api.answerChallenge('SOFTWARE_TOKEN_MFA', address, step.session, code.trim()));
          break;
        case 'forgot':
          await api.forgotPassword(address);
          setNotice(`If ${address} has an account, a code is on its way there. Enter it with your new password.`);
          go({ kind: 'reset' });
          break;
        case 'reset':
          if (newPassword !== repeated) throw new Error('The two passwords differ.');
          await api.resetPassword(address, code.trim(), newPassword);
          setNotice('Your password is changed. Sign in with it.');
          setPassword('');
          go({ kind: 'credentials' });
          break;
      }
    });
  };

  const titles: Record<Step['kind'], string> = {
    credentials: 'Sign in',
    'new-password': 'Choose your password',
    mfa: 'Authentication code',
    forgot: 'Forgot your password?',
    reset: 'Choose a new password',
  };
  const actions: Record<Step['kind'], string> = {
    credentials: 'Sign in',
    'new-password': 'Set password and sign in',
    mfa: 'Verify',
    forgot: 'Send code',
    reset: 'Change password',
  };

  let fields: ComponentChildren;
  const emailField = (
    <Field label="Email" name="email" type="email" autoComplete="username" value={email} onInput={setEmail} />
  );
  const choose = (
    <>
      <Field
        label="New password"
        name="new-password"
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onInput={setNewPassword}
        hint={PASSWORD_RULE}
      />
      <Field
        label="Confirm password"
        name="repeat-password"
        type="password"
        autoComplete="new-password"
        value={repeated}
        onInput={setRepeated}
      />
    </>
  );
  switch (step.kind) {
    case 'credentials':
      fields = (
        <>
          {emailField}
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={setPassword}
          />
        </>
      );
      break;
    case 'new-password':
      fields = choose;
      break;
    case 'mfa':
      fields = (
        <Field
          label="Code from your authenticator app"
          name="code"
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9]{6}"
          value={code}
          onInput={setCode}
        />
      );
      break;
    case 'forgot':
      fields = emailField;
      break;
    case 'reset':
      fields = (
        <>
          {emailField}
          <Field
            label="Code from the mail"
            name="reset-code"
            autoComplete="one-time-code"
            inputMode="numeric"
            pattern="[0-9]{6}"
            value={code}
            onInput={setCode}
          />
          {choose}
        </>
      );
      break;
  }

  return (
    <main class="sign-in">
      <form class="card sign-in__form" onSubmit={submit}>
        <h1 class="sign-in__title">{titles[step.kind]}</h1>
        {notice && (
          <p class="muted" role="status">
            {notice}
          </p>
        )}
        {fields}
        <button type="submit" class="button button--primary button--block" disabled={busy}>
          {actions[step.kind]}
        </button>
        {step.kind === 'credentials' ? (
          <button type="button" class="button button--quiet button--block" onClick={() => go({ kind: 'forgot' })}>
            Forgot password?
          </button>
        ) : (
          <button
            type="button"
            class="button button--quiet button--block"
            onClick={() => {
              setNotice(null);
              go({ kind: 'credentials' });
            }}
          >
            Back to sign-in
          </button>
        )}
      </form>
    </main>
  );
}
