import type { ComponentChildren, TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { useAlerts } from '../lib/alerts';
import { startSession } from '../session';
import type { SignInResult } from '../types';
import { t } from '../lib/i18n';

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
/** What a password needs (the user pool's policy), in the interface language. */
export function passwordRule(): string {
  return t('signin.password_rule');
}

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
      setNotice(t('signin.welcome'));
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
          if (newPassword !== repeated) throw new Error(t('signin.differ'));
          follow(await api.answerChallenge('NEW_PASSWORD_REQUIRED', address, step.session, newPassword));
          break;
        case 'mfa':
          follow(await api.answerChallenge('SOFTWARE_TOKEN_MFA', address, step.session, code.trim()));
          break;
        case 'forgot':
          await api.forgotPassword(address);
          setNotice(t('signin.code_sent', { address }));
          go({ kind: 'reset' });
          break;
        case 'reset':
          if (newPassword !== repeated) throw new Error(t('signin.differ'));
          await api.resetPassword(address, code.trim(), newPassword);
          setNotice(t('signin.changed'));
          setPassword('');
          go({ kind: 'credentials' });
          break;
      }
    });
  };

  const titles: Record<Step['kind'], string> = {
    credentials: t('signin.title'),
    'new-password': t('signin.choose_title'),
    mfa: t('signin.mfa_title'),
    forgot: t('signin.forgot_title'),
    reset: t('signin.reset_title'),
  };
  const actions: Record<Step['kind'], string> = {
    credentials: t('signin.sign_in'),
    'new-password': t('signin.set_and_sign_in'),
    mfa: t('signin.verify'),
    forgot: t('signin.send_code'),
    reset: t('signin.change_password'),
  };

  let fields: ComponentChildren;
  const emailField = (
    <Field label={t('users.email')} name="email" type="email" autoComplete="username" value={email} onInput={setEmail} />
  );
  const choose = (
    <>
      <Field
        label={t('signin.new_password')}
        name="new-password"
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onInput={setNewPassword}
        hint={passwordRule()}
      />
      <Field
        label={t('signin.confirm_password')}
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
            label={t('profile.password')}
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
          label={t('signin.code_app')}
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
            label={t('signin.code_mail')}
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
            {t('signin.forgot')}
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
            {t('signin.back')}
          </button>
        )}
      </form>
    </main>
  );
}
