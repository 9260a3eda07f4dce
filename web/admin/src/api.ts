import type { MeView } from '../../../src/admin/http/api-types.ts';

/**
 * The one way the SPA talks to the server: same-origin fetch with the session cookie, the CSRF
 * token on every change, and errors turned into ApiError with the server's plain message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf = '';
export const setCsrf = (t: string) => {
  csrf = t;
};

/** Set by the app: called when the session has ended so it can show the sign-in page. */
export let onSignedOut: () => void = () => {};
export const setOnSignedOut = (f: () => void) => {
  onSignedOut = f;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(`/api/admin${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new ApiError(
      res.status,
      data?.error?.code ?? 'error',
      data?.error?.message ?? res.statusText,
    );
    if (res.status === 401 && !path.startsWith('/login') && !path.startsWith('/setup')) onSignedOut();
    throw err;
  }
  return data as T;
}

// The response type is the caller's to name (hooks/api/* name it from the server's types).
export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path, {});

export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** The signed-in account with the POLICY route keys its role may call (see hooks/api/account.ts). */
export type Me = MeView;
