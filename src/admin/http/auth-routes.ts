import { z } from 'zod';
import { audit, staffActor } from '../../audit/index.ts';
import { changeOwnPassword } from '../auth/change-password.ts';
import { needsSetup, setupFirstOwner } from '../auth/first-owner.ts';
import { login } from '../auth/login.ts';
import { deleteSession, SESSION_MAX_MS } from '../auth/sessions.ts';
import { roleSchema, usernameSchema } from '../auth/users.ts';
import type { AdminRole } from '../../db/schema.ts';
import { type Permission, permissionsOf } from '../policy.ts';
import { clearCookie, sessionCookie } from './cookies.ts';
import { route } from './route.ts';

const credentials = z.object({
  username: z.string().trim().min(1, 'Enter your username').max(64),
  password: z.string().min(1, 'Enter your password').max(200),
});

const me = z.object({
  user: z.object({ id: z.number(), username: z.string(), role: roleSchema }),
  csrfToken: z.string(),
  /** The POLICY route keys this role may call; the dashboard shows pages and buttons by them. */
  permissions: z.array(z.string()),
});

/** The signed-in account as the dashboard gets it, from sign-in, setup and `/me` alike. */
export interface MeView {
  user: { id: number; username: string; role: AdminRole };
  csrfToken: string;
  permissions: Permission[];
}

const meView = (user: MeView['user'], csrfToken: string): MeView => ({
  user: { id: user.id, username: user.username, role: user.role },
  csrfToken,
  permissions: permissionsOf(user.role),
});

export const authRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/setup',
    tag: 'auth',
    summary: 'Whether the first owner still has to be created',
    response: z.object({ needsSetup: z.boolean() }),
    handler: async ({ deps }) => ({ needsSetup: await needsSetup(deps.db) }),
  }),
  route({
    method: 'POST',
    path: '/api/admin/setup',
    tag: 'auth',
    summary: 'Create the first owner (only while no admin account exists) and sign in',
    body: z.object({ username: usernameSchema, password: z.string().max(200) }),
    response: me,
    handler: async ({ deps, req, reply, body, ip }) => {
      await setupFirstOwner(deps, { username: body.username, password: body.password, ip });
      const s = await login(deps, { ...body, ip, userAgent: req.headers['user-agent'] ?? null });
      reply.header('set-cookie', sessionCookie(deps.config, s.token, SESSION_MAX_MS / 1000));
      return meView(s.user, s.csrfToken);
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/login',
    tag: 'auth',
    summary: 'Sign in; sets the session cookie and returns the CSRF token for later changes',
    body: credentials,
    response: me,
    handler: async ({ deps, req, reply, body, ip }) => {
      const s = await login(deps, { ...body, ip, userAgent: req.headers['user-agent'] ?? null });
      reply.header('set-cookie', sessionCookie(deps.config, s.token, SESSION_MAX_MS / 1000));
      return meView(s.user, s.csrfToken);
    },
  }),
  route({
    method: 'POST',
    path: '/api/admin/logout',
    tag: 'auth',
    summary: 'Sign out this session',
    handler: async ({ deps, reply, admin, ip }) => {
      await deps.db.transaction(async (tx) => {
        await deleteSession(tx, admin!.sessionId);
        await audit(tx, deps, {
          actor: staffActor(admin!),
          action: 'auth.logout',
          entity: 'admin_user',
          entityId: admin!.id,
          ip,
        });
      });
      reply.header('set-cookie', clearCookie(deps.config));
      return { ok: true };
    },
  }),
  route({
    method: 'GET',
    path: '/api/admin/me',
    tag: 'auth',
    summary: 'The signed-in account and its CSRF token',
    response: me,
    handler: async ({ admin }) => meView(admin!, admin!.csrfToken),
  }),
  route({
    method: 'POST',
    path: '/api/admin/me/password',
    tag: 'auth',
    summary: 'Change your own password (signs out your other sessions)',
    body: z.object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) }),
    handler: async ({ deps, admin, body, ip }) => {
      await changeOwnPassword(deps, admin!, { ...body, ip });
      return { ok: true };
    },
  }),
];
