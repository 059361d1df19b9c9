import { useEffect, useState } from 'preact/hooks';
import { canSetUpTotp, confirmTotp, startTotp } from '../auth.ts';
import type { Words } from '../i18n.ts';

/**
 * An analyst without an authenticator app (the API requires one of analysts: 403 mfa-required): the secret key to
 * add to the app (typed, or opened as an otpauth: link on the phone that has the app), then a code from the app.
 * Done, the analyst signs in again, this time with a code.
 */
export function MfaSetup({ t, email, issuer, onDone }: { t: Words; email: string; issuer: string; onDone: () => void }) {
  const [secret, setSecret] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const possible = canSetUpTotp();

  useEffect(() => {
    if (possible) startTotp().then(setSecret, () => setError(t.error));
  }, []);

  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await confirmTotp(code.replace(/\s/g, ''));
      setDone(true);
    } catch (err) {
      setError(/CodeMismatch|EnableSoftwareTokenMFA|InvalidParameter/.test(String((err as Error).message)) ? t.mfaWrongCode : t.error);
    } finally {
      setBusy(false);
    }
  };

  const link = secret
    ? `otpauth://totp/${encodeURIComponent(`${issuer}:${email}`)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}`
    : undefined;
  return (
    <section class="card narrow" aria-labelledby="mfa-title">
      <h1 id="mfa-title">{t.mfaTitle}</h1>
      <p>{t.mfaWhy}</p>
      {done ? (
        <>
          <p role="status">{t.mfaDone}</p>
          <button type="button" onClick={onDone}>
            {t.signIn}
          </button>
        </>
      ) : !possible ? (
        <>
          <p>{t.mfaSignInAgain}</p>
          <button type="button" onClick={onDone}>
            {t.signIn}
          </button>
        </>
      ) : (
        <form onSubmit={confirm}>
          <ol>
            <li>{t.mfaStep1}</li>
            <li>
              {t.mfaStep2}{' '}
              {secret ? (
                <>
                  <code data-testid="totp-secret" class="secret">
                    {secret.match(/.{1,4}/g)!.join(' ')}
                  </code>{' '}
                  <a href={link}>{t.mfaOpenApp}</a>
                </>
              ) : (
                <span role="status">{t.loading}</span>
              )}
            </li>
            <li>
              <label for="totp-code">{t.mfaStep3}</label>
              <input
                id="totp-code"
                inputMode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]{6,7}"
                required
                value={code}
                onInput={(e) => setCode((e.target as HTMLInputElement).value)}
              />
            </li>
          </ol>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy || !secret}>
            {t.mfaConfirm}
          </button>
        </form>
      )}
    </section>
  );
}
