/** What a router change records in the audit log: plain fields as given, secrets only as "changed". */
const SECRET_FIELDS = new Set([
  'password',
  'secret',
  'faskey',
  'apiKey',
  'opnsenseApiKey',
  'opnsenseApiSecret',
]);

export const routerAuditDetail = (input: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(input)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, SECRET_FIELDS.has(k) ? 'changed' : v]),
  );
