import { useState } from 'preact/hooks';
import { signIn, type SignInResult } from '../auth.ts';
import type { Words } from '../i18n.ts';

export function SignIn({ t, expired, onSignedIn }: { t: Words; expired: boolean; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<Exclude<SignInResult, { kind: 'ok' }> | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(expired ? t.sessionExpired : null);

  const run = async (p: Promise<SignInResult>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await p;
      if (r.kind === 'ok') onSignedIn();
      else {
        setStep(r);
        setCode('');
      }
    } catch (e) {
      // Cognito names the failure in __type (NotAuthorizedException on AWS; cognito-local says InvalidPasswordException).
      setError(/NotAuthorized|UserNotFound|InvalidParameter|InvalidPassword/.test(String((e as Error).message)) ? t.badLogin : t.error);
      console.warn('sign-in failed', (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow">
      <h1>{t.signIn}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!step ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(signIn(email.trim(), password));
          }}
        >
          <label for="email">{t.email}</label>
          <input
            id="email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
          <label for="password">{t.password}</label>
          <input
            id="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
          <button type="submit" disabled={busy}>
            {busy ? t.signingIn : t.signIn}
          </button>
        </form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(step.answer(code));
          }}
        >
          <label for="code">{step.kind === 'mfa' ? t.mfaCode : t.newPassword}</label>
          {step.kind === 'mfa' ? (
            <input
              id="code"
              type="text"
              inputMode="numeric"
              autocomplete="one-time-code"
              required
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          ) : (
            <input
              id="code"
              type="password"
              autocomplete="new-password"
              required
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          )}
          <button type="submit" disabled={busy}>
            {t.signIn}
          </button>
        </form>
      )}
    </section>
  );
}
