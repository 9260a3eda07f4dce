/** How `wavu routers list` and `show` describe a router. */
import type { RouterView } from '../routers/repo.ts';

export function describe(r: RouterView): string[] {
  const where =
    r.mode === 'api'
      ? r.transport === 'agent'
        ? 'agent (the router polls Wavu)'
        : `${apiConnection(r)} as ${r.username}`
      : r.mode === 'opennds'
        ? `openNDS FAS level ${r.openndsLevel} (gateway name ${r.openndsGatewayName}; the router polls Wavu)`
        : r.mode === 'unifi'
          ? `UniFi ${r.unifiApi} API at ${r.unifiUrl}, site ${r.unifiSite}`
          : `RADIUS from ${radiusFrom(r)} (NAS-Identifier ${r.nasIdentifier}), ${r.profile} profile${
              r.opnsenseUrl ? `, OPNsense API ${r.opnsenseUrl} zone ${r.opnsenseZone}` : ''
            }`;
  const lines = [
    `${r.name}  (${r.mode} mode${r.enabled ? '' : ', DISABLED'})`,
    `  connection   ${where}`,
    ...(r.revocation ? [`  revocation   ${r.revocation}`] : []),
    ...r.warnings.map((w) => `  WARNING      ${w}`),
    `  status       ${r.status}${r.lastSeenAt ? `, last seen ${r.lastSeenAt.toISOString()}` : ', never seen'}`,
  ];
  if (r.site) lines.push(`  site         ${r.site}`);
  if (r.lastError) lines.push(`  problem      ${r.problem}`, `  last error   ${r.lastError}`);
  if (r.health?.version)
    lines.push(`  router       ${r.health.identity} · RouterOS ${r.health.version} · ${r.health.board}`);
  if (r.tlsFingerprint) lines.push(`  certificate  ${r.tlsFingerprint}`);
  if (r.lastReconciledAt) lines.push(`  reconciled   ${r.lastReconciledAt.toISOString()}`);
  return lines;
}

/** "api 192.168.88.1:8728", or "api 10.250.0.2 over WireGuard" for a tunnelled router. */
export function apiConnection(r: RouterView): string {
  const port = r.port ? `:${r.port}` : '';
  return r.tunnel === 'wireguard'
    ? `${r.transport} ${r.tunnelAddress}${port} over WireGuard`
    : `${r.transport} ${r.host}${port}`;
}

/** "10.8.0.12", "10.8.0.12, 10.9.0.0/16" or "any address". */
export function radiusFrom(r: RouterView): string {
  if (r.allowFrom === 'any') return 'any address';
  return [r.nasAddress, ...(r.allowFrom ? r.allowFrom.split(',') : [])].filter(Boolean).join(', ');
}
