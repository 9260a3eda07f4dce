/** Daraja's OAuth: client-credential tokens per app, an hour each, one live token per app by default. */
import { randomBytes } from 'node:crypto';
import { envelope, type SimApp, type SimReply } from './types.ts';

export class TokenDesk {
  private readonly tokens = new Map<string, { app: string; expiresAt: number }>();
  private readonly latestToken = new Map<string, string>();

  constructor(
    private readonly apps: SimApp[],
    private readonly singleToken: boolean,
    private readonly now: () => Date,
  ) {}

  oauth(authorization: string | undefined, grantType: string | undefined): SimReply {
    if (grantType !== 'client_credentials') return envelope(400, '400.008.02', 'Invalid grant type passed');
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return envelope(400, '400.008.01', 'Invalid authentication type passed');
    const [key, secret] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
    const app = this.apps.find((a) => a.consumerKey === key && a.consumerSecret === secret);
    if (!app) return envelope(400, '400.008.01', 'Invalid Authentication passed');
    const token = randomBytes(21).toString('base64url').slice(0, 28);
    if (this.singleToken) {
      const prev = this.latestToken.get(app.consumerKey);
      if (prev) this.tokens.delete(prev);
    }
    this.tokens.set(token, { app: app.consumerKey, expiresAt: this.now().getTime() + 3_600_000 });
    this.latestToken.set(app.consumerKey, token);
    // expires_in is a string in real answers.
    return { status: 200, body: { access_token: token, expires_in: '3599' } };
  }

  /** The app behind a Bearer header, or the error Daraja gives. */
  authorize(authorization: string | undefined): { app: string } | SimReply {
    const m = /^Bearer\s+(\S+)$/.exec(authorization ?? '');
    if (!m) return envelope(404, '404.001.04', 'Invalid Authentication Header');
    const t = this.tokens.get(m[1]!);
    if (!t || t.expiresAt <= this.now().getTime()) return envelope(404, '404.001.03', 'Invalid Access Token');
    return { app: t.app };
  }

  /** Revoke every token (as a token expiry would). */
  expireTokens(): void {
    this.tokens.clear();
  }
}
