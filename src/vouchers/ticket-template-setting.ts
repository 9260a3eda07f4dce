/**
 * The voucher template as stored: settings key `voucher_template` ({ text }), absent for the
 * default. Read at each print (one small row), so a save changes the very next print on every
 * node; the save bumps `settings_version` like every other settings writer.
 */
import type { Deps } from '../app/deps.ts';
import { type Actor, audit } from '../audit/index.ts';
import type { Conn } from '../db/open.ts';
import { bumpSettingsVersion, deleteSetting, getSetting, putSetting } from '../settings/index.ts';
import { DEFAULT_TEMPLATE, parseTemplate, type TicketTemplate } from './ticket-template.ts';

const KEY = 'voucher_template';

export async function loadTicketTemplate(conn: Conn): Promise<TicketTemplate & { custom: boolean }> {
  const stored = await getSetting<{ text?: unknown }>(conn, KEY);
  if (typeof stored?.text === 'string') {
    try {
      return { ...parseTemplate(stored.text), custom: true };
    } catch {
      // Checked when saved; a row a later version would refuse still prints, with the default.
    }
  }
  return { ...parseTemplate(DEFAULT_TEMPLATE), custom: false };
}

/** Save a template (checked first: a 400 names what is wrong), or null to go back to the default. */
export async function saveTicketTemplate(
  deps: Deps,
  o: { template: string | null; actor: Actor; ip: string | null },
): Promise<{ custom: boolean }> {
  const parsed = o.template === null ? null : parseTemplate(o.template);
  await deps.db.transaction(async (tx) => {
    if (parsed) await putSetting(tx, deps.clock.now(), KEY, { text: parsed.text });
    else await deleteSetting(tx, KEY);
    await bumpSettingsVersion(tx);
    await audit(tx, deps, {
      actor: o.actor,
      action: 'settings.voucher_template',
      entity: 'settings',
      entityId: KEY,
      detail: parsed ? { template: parsed.text } : { reset: true },
      ip: o.ip,
    });
  });
  return { custom: parsed !== null };
}
