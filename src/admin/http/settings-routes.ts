/** Business settings: branding, M-Pesa, SMS and PPPoE, with their checks. */
import { z } from 'zod';
import { registerPull } from '../../payments/index.ts';
import { registerMpesaUrls, sendTestSms, testMpesa } from '../settings/check-settings.ts';
import {
  brandingSchema,
  mpesaSchema,
  readSettings,
  saveBranding,
  saveMpesa,
  saveSms,
  smsSchema,
} from '../settings/settings.ts';
import { pppSettingsSchema, savePppSettings } from '../settings/ppp-settings.ts';
import type { Actor } from '../../audit/index.ts';
import type { Deps } from '../../app/deps.ts';
import { route } from './route.ts';

/** A settings section saved whole: the body is that section's schema, the answer `{ ok: true }`. */
function saveSection<B extends z.ZodType>(
  section: string,
  summary: string,
  body: B,
  save: (deps: Deps, body: z.infer<B>, actor: Actor, ip: string | null) => Promise<unknown>,
) {
  return route({
    method: 'PUT',
    path: `/api/admin/settings/${section}`,
    tag: 'settings',
    summary,
    body,
    handler: async ({ deps, body, actor, ip }) => {
      await save(deps, body, actor, ip);
      return { ok: true } as const;
    },
  });
}

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/settings',
    tag: 'settings',
    summary: 'Branding, M-Pesa, SMS and PPPoE settings (secrets only as "set" flags)',
    handler: ({ deps }) => readSettings(deps),
  }),
  saveSection('branding', 'Portal name, colour and support phone', brandingSchema, saveBranding),
  saveSection(
    'mpesa',
    'M-Pesa account; secrets: a value sets, null clears, absent keeps',
    mpesaSchema,
    saveMpesa,
  ),
  route({
    method: 'POST',
    path: '/api/admin/settings/mpesa/test',
    tag: 'settings',
    summary: 'Fetch a Daraja token with the settings in force; the answer in plain words',
    handler: ({ deps }) => testMpesa(deps),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/mpesa/register-urls',
    tag: 'settings',
    summary: 'Register the C2B URLs for the account in force; the answer in plain words',
    handler: ({ deps }) => registerMpesaUrls(deps),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/sms/test',
    tag: 'settings',
    summary: "Send a test SMS with the provider in force; the provider's answer",
    body: z.object({ to: z.string().max(20) }),
    handler: ({ deps, body }) => sendTestSms(deps, body.to),
  }),
  route({
    method: 'POST',
    path: '/api/admin/settings/mpesa/pull',
    tag: 'settings',
    summary: "Register the account for Pull Transactions (Daraja's answer in plain words)",
    body: z.object({
      nominatedNumber: z.string().regex(/^2547\d{8}$|^2541\d{8}$/, 'a number like 2547XXXXXXXX'),
    }),
    handler: ({ deps, body, actor, ip }) => registerPull(deps, body, actor, ip),
  }),
  saveSection('sms', 'SMS provider; apiKey: a value sets, null clears, absent keeps', smsSchema, saveSms),
  saveSection(
    'ppp',
    'PPPoE: expired pool name, interim interval, reminder days; null puts the default back',
    pppSettingsSchema,
    savePppSettings,
  ),
];
