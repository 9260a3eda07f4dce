import { useState } from 'react';
import { post } from '../api.ts';
import { ErrorNote, Field } from '../ui.tsx';

export function AccountPage() {
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <section>
      <h1>Your account</h1>
      <form
        className="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setMsg(null);
          try {
            await post('/me/password', { currentPassword: cur, newPassword: next });
            setMsg('Password changed. Your other sessions were signed out.');
            setCur('');
            setNext('');
          } catch (err) {
            setError(err);
          }
        }}
      >
        <h2>Change password</h2>
        <Field label="Current password">
          <input
            type="password"
            autoComplete="current-password"
            value={cur}
            onChange={(e) => setCur(e.target.value)}
            required
          />
        </Field>
        <Field label="New password (at least 10 characters)">
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </Field>
        <ErrorNote error={error} />
        {msg && <p className="ok">{msg}</p>}
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}
