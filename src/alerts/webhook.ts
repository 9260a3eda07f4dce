/**
 * The `alerts.webhook` job: POST the alert as JSON to the operator's URL. With a secret set, the
 * body is signed: `X-Wavu-Signature: sha256=<hex HMAC-SHA256 of the exact body>`, so the receiver
 * can tell the message came from this Wavu. A non-2xx answer or no answer retries with backoff.
 */
import { createHmac } from 'node:crypto';
import type { Deps } from '../app/deps.ts';
import type { AlertEvent } from './job-kinds.ts';
import { loadAlertSettings, webhookSecret } from './settings.ts';

export const signBody = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export async function postWebhook(deps: Deps, event: AlertEvent): Promise<void> {
  // The URL in force when it is sent: a URL fixed after a failure gets the retries.
  const { webhookUrl } = await loadAlertSettings(deps);
  if (!webhookUrl) return;
  const body = JSON.stringify(event);
  const secret = await webhookSecret(deps);
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Wavu-Alerts',
      ...(secret ? { 'x-wavu-signature': signBody(secret, body) } : {}),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
}
