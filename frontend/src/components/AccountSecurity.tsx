// The signed-in user's own security: changing the password, and setting up an authenticator app
// (TOTP: a QR code and the key to type, then the first code confirms it). The profile shows
// both; a user the service requires MFA of sees the authenticator set-up before anything else.

import qrcode from 'qrcode-generator';
import type { TargetedSubmitEvent } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { useAlerts } from '../lib/alerts';
import { passwordRule } from '../pages/SignInPage';
import type { TotpEnrolment, User } from '../types';
import { t } from '../lib/i18n';

function QrCode({ text }: { text: string }) {
  // The library writes the SVG from our own otpauth URI: nothing from outside goes into markup.
  const svg = useMemo(() => {
    const code = qrcode(0, 'M');
    code.addData(text);
    code.make();
    return code.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
  }, [text]);
  return (
    <div
      class="qr-code"
      role="img"
      aria-label={t('security.qr')}
      data-testid="totp-qr"
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}

export function AuthenticatorSetup({ enabled, onEnabled }: { enabled: boolean; onEnabled(user: User): void }) {
  const alerts = useAlerts();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(enabled);

  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await action();
      alerts.clearError('mfa');
    } catch (error) {
      alerts.showError(errorMessage(error), 'mfa');
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <p data-testid="mfa-status">
        {t('security.mfa_on')}
      </p>
    );
  }
  if (!enrolment) {
    return (
      <button type="button" class="button" disabled={busy} onClick={() => void run(async () => setEnrolment(await api.beginTotp()))}>
        {t('app.mfa_title')}
      </button>
    );
  }
  const confirm = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void run(async () => {
      const user = await api.confirmTotp(code.trim());
      setDone(true);
      alerts.notify(t('security.mfa_done'));
      onEnabled(user);
    });
  };
  return (
    <form class="settings__group" onSubmit={confirm}>
      <p>{t('security.scan')}</p>
      <QrCode text={enrolment.otpauth_uri} />
      <p>
        {t('security.key')} <code data-testid="totp-secret">{enrolment.secret}</code>
      </p>
      <label class="field">
        <span class="field__label">{t('security.code')}</span>
        <input
          type="text"
          inputMode="numeric"
          pattern="[0-9]{6}"
          autoComplete="one-time-code"
          required
          value={code}
          onInput={(event) => setCode(event.currentTarget.value)}
        />
      </label>
      <div>
        <button type="submit" class="button button--primary" disabled={busy}>
          {t('security.turn_on')}
        </button>
      </div>
    </form>
  );
}

export function PasswordChange() {
  const alerts = useAlerts();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (next !== repeated) {
      alerts.showError(t('signin.differ'), 'password');
      return;
    }
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeated('');
      alerts.clearError('password');
      alerts.notify(t('security.password_changed'));
    } catch (error) {
      alerts.showError(errorMessage(error), 'password');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="settings__group" aria-label={t('signin.change_password')} onSubmit={(event) => void submit(event)}>
      <label class="field">
        <span class="field__label">{t('security.current')}</span>
        <input type="password" autoComplete="current-password" required value={current}
          onInput={(event) => setCurrent(event.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field__label">{t('signin.new_password')}</span>
        <input type="password" autoComplete="new-password" required value={next} aria-describedby="password-rule"
          onInput={(event) => setNext(event.currentTarget.value)} />
      </label>
      <span class="muted field__hint" id="password-rule">{passwordRule()}</span>
      <label class="field">
        <span class="field__label">{t('signin.confirm_password')}</span>
        <input type="password" autoComplete="new-password" required value={repeated}
          onInput={(event) => setRepeated(event.currentTarget.value)} />
      </label>
      <div>
        <button type="submit" class="button" disabled={busy}>
          {t('signin.change_password')}
        </button>
      </div>
    </form>
  );
}
