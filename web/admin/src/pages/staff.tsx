import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, patch, post } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { Badge, ErrorNote, Field, Table, when } from '../ui.tsx';

const ROLES = ['owner', 'admin', 'cashier', 'viewer'];

export function StaffPage(_: PageProps) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['staff'], queryFn: () => get('/staff') });
  const refresh = () => qc.invalidateQueries({ queryKey: ['staff'] });
  const change = useMutation({
    mutationFn: ({ id, body }: { id: number; body: unknown }) => patch(`/staff/${id}`, body),
    onSuccess: refresh,
  });
  const [f, setF] = useState({ username: '', role: 'cashier', password: '' });
  const add = useMutation({
    mutationFn: () => post('/staff', f),
    onSuccess: () => {
      setF({ username: '', role: 'cashier', password: '' });
      refresh();
    },
  });
  return (
    <section>
      <h1>Staff</h1>
      <p className="muted">
        Owners manage staff and money settings; admins run plans, routers and reports; cashiers sell and look
        up payments; viewers only look.
      </p>
      <ErrorNote error={q.error ?? change.error} />
      <Table
        rows={q.data?.items ?? []}
        rowKey={(u: any) => u.id}
        columns={[
          { label: 'User', cell: (u: any) => u.username },
          {
            label: 'Role',
            cell: (u: any) => (
              <select
                value={u.role}
                aria-label={`Role of ${u.username}`}
                onChange={(e) => change.mutate({ id: u.id, body: { role: e.target.value } })}
              >
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            ),
          },
          {
            label: 'State',
            cell: (u: any) => <Badge value={u.disabled ? 'disabled' : u.locked ? 'locked' : 'active'} />,
          },
          { label: 'Last sign-in', cell: (u: any) => when(u.lastLoginAt) },
          {
            label: '',
            cell: (u: any) => (
              <span className="row-actions">
                {u.locked && (
                  <button
                    type="button"
                    className="small"
                    onClick={() => change.mutate({ id: u.id, body: { unlock: true } })}
                  >
                    Unlock
                  </button>
                )}
                <button
                  type="button"
                  className="small ghost"
                  onClick={() => change.mutate({ id: u.id, body: { disabled: !u.disabled } })}
                >
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  className="small ghost"
                  onClick={() => {
                    const pw = prompt(`New password for ${u.username} (at least 10 characters)`);
                    if (pw) change.mutate({ id: u.id, body: { password: pw } });
                  }}
                >
                  Reset password
                </button>
              </span>
            ),
          },
        ]}
      />
      <form
        className="card form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <h2>Add staff</h2>
        <Field label="Username">
          <input required value={f.username} onChange={(e) => setF({ ...f, username: e.target.value })} />
        </Field>
        <Field label="Role">
          <select value={f.role} onChange={(e) => setF({ ...f, role: e.target.value })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </Field>
        <Field label="Password (at least 10 characters)">
          <input
            type="password"
            autoComplete="new-password"
            required
            value={f.password}
            onChange={(e) => setF({ ...f, password: e.target.value })}
          />
        </Field>
        <ErrorNote error={add.error} />
        <div className="actions">
          <button type="submit">Add</button>
        </div>
      </form>
    </section>
  );
}
