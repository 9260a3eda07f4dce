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
import { route } from './route.ts';

const ok = { ok: true } as const;

export const settingsRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/settings',
    tag: 'settings',
    summary: 'Branding, M-Pesa, SMS and PPPoE settings (secrets only as "set" flags)',
    handler: ({ deps }) => readSettings(deps),
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/branding',
    tag: 'settings',
    summary: 'Portal name, colour and support phone',
    body: brandingSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await saveBranding(deps, body, actor, ip);
      return ok;
    },
  }),
  route({
    method: 'PUT',
    path: '/api/admin/settings/mpesa',
    tag: 'settings',
    summary: 'M-Pesa account; secrets: a value sets, null clears, absent keeps',
    body: mpesaSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await saveMpesa(deps, body, actor, ip);
      return ok;
    },
  }),
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
  route({
    method: 'PUT',
    path: '/api/admin/settings/sms',
    tag: 'settings',
    summary: 'SMS provider; apiKey: a value sets, null clears, absent keeps',
    body: smsSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await saveSms(deps, body, actor, ip);
      return ok;
    },
  }),

  route({
    method: 'PUT',
    path: '/api/admin/settings/ppp',
    tag: 'settings',
    summary: 'PPPoE: expired pool name, interim interval, reminder days; null puts the default back',
    body: pppSettingsSchema,
    handler: async ({ deps, body, actor, ip }) => {
      await savePppSettings(deps, body, actor, ip);
      return ok;
    },
  }),
];
