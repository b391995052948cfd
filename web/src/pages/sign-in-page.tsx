import { useState, type FormEvent } from 'react';
import { signIn } from '../api/session';

/**
 * The key goes to the server once, in the body of one POST; the answer is an
 * HttpOnly cookie. The field is cleared right away and nothing is stored.
 */
export function SignInPage({ onSignedIn, expired }: { onSignedIn: () => void; expired?: boolean }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await signIn(key);
      setKey('');
      onSignedIn();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setPending(false);
    }
  }
  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">parley admin</h1>
        {expired ? (
          <p className="state state-error" role="alert">
            Your session ended. Sign in again.
          </p>
        ) : null}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          placeholder="pk_…"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          autoFocus
        />
        <p className="muted small">
          The key printed at first start (or one from <code>npm run keys -- create</code>). It is exchanged for a
          session cookie and not kept in the browser.
        </p>
        {error ? (
          <p className="state state-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={pending || !key.trim()}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
