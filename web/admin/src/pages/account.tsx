import { useState } from 'react';
import { ErrorNote } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { useChangePassword } from '../hooks/api/account.ts';

export function AccountPage() {
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const change = useChangePassword();
  return (
    <section>
      <h1>Your account</h1>
      <form
        className="card narrow"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate(
            { currentPassword: cur, newPassword: next },
            {
              onSuccess: () => {
                setCur('');
                setNext('');
              },
            },
          );
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
        <ErrorNote error={change.error} />
        {change.isSuccess && <p className="ok">Password changed. Your other sessions were signed out.</p>}
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}
