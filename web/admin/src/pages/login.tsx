import { useState } from 'react';
import type { Me } from '../api.ts';
import { ErrorNote } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { signIn, useSetupState } from '../hooks/api/account.ts';

/** Sign-in, or the one-time first-owner setup while no admin account exists. */
export function LoginPage({ onSignedIn }: { onSignedIn: (m: Me) => void }) {
  const setup = useSetupState();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = setup.data?.needsSetup === true;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    if (first && password !== confirm) return setError(new Error('The two passwords differ.'));
    setBusy(true);
    try {
      onSignedIn(await signIn(first, { username, password }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (setup.isLoading) return <p className="center muted">Loading…</p>;
  return (
    <form className="card login" onSubmit={submit}>
      <h1>Wavu</h1>
      {first ? (
        <p>
          <strong>Welcome.</strong> Create the owner account. It can add staff later. This page works only
          until the first account exists.
        </p>
      ) : (
        <p className="muted">Sign in to the dashboard.</p>
      )}
      <Field label="Username">
        <input
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </Field>
      <Field label={first ? 'Password (at least 10 characters)' : 'Password'}>
        <input
          name="password"
          type="password"
          autoComplete={first ? 'new-password' : 'current-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      {first && (
        <Field label="Password again">
          <input
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </Field>
      )}
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        {first ? 'Create owner and sign in' : 'Sign in'}
      </button>
    </form>
  );
}
