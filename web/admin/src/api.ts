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

/** One call: the session cookie, the CSRF header; the raw answer's text, or an ApiError. */
async function send(method: string, path: string, body: unknown, accept: string): Promise<string> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(`/api/admin${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.ok) return text;
  const data = (() => {
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  })();
  const err = new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? res.statusText);
  if (res.status === 401 && !path.startsWith('/login') && !path.startsWith('/setup')) onSignedOut();
  throw err;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await send(method, path, body, 'application/json');
  return (text ? JSON.parse(text) : null) as T;
}

/** A POST whose answer is an HTML document (a print preview), as text. */
export const postForHtml = (path: string, body: unknown) => send('POST', path, body, 'text/html');

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
