import { useState } from 'react';
import type { AdminRole, StaffInput } from '../../../../src/admin/http/api-types.ts';
import { Badge, ErrorNote } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { Table } from '../components/tables.tsx';
import { useAddStaff, useChangeStaff, useStaff } from '../hooks/api/staff.ts';
import { when } from '../lib/format.ts';

/** The choices of the role menus, most powerful first; the record makes a new server role a type error here. */
const ROLE_ORDER: Record<AdminRole, number> = { owner: 0, admin: 1, cashier: 2, viewer: 3 };
const ROLES = (Object.keys(ROLE_ORDER) as AdminRole[]).sort((a, b) => ROLE_ORDER[a] - ROLE_ORDER[b]);
const empty: StaffInput = { username: '', role: 'cashier', password: '' };

export function StaffPage() {
  const q = useStaff();
  const change = useChangeStaff();
  const [f, setF] = useState(empty);
  const add = useAddStaff();
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
        rowKey={(u) => u.id}
        columns={[
          { label: 'User', cell: (u) => u.username },
          {
            label: 'Role',
            cell: (u) => (
              <select
                value={u.role}
                aria-label={`Role of ${u.username}`}
                onChange={(e) => change.mutate({ id: u.id, body: { role: e.target.value as AdminRole } })}
              >
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            ),
          },
          {
            label: 'State',
            cell: (u) => <Badge value={u.disabled ? 'disabled' : u.locked ? 'locked' : 'active'} />,
          },
          { label: 'Last sign-in', cell: (u) => when(u.lastLoginAt) },
          {
            label: '',
            cell: (u) => (
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
          add.mutate(f, { onSuccess: () => setF(empty) });
        }}
      >
        <h2>Add staff</h2>
        <Field label="Username">
          <input required value={f.username} onChange={(e) => setF({ ...f, username: e.target.value })} />
        </Field>
        <Field label="Role">
          <select value={f.role} onChange={(e) => setF({ ...f, role: e.target.value as AdminRole })}>
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
