/**
 * `wavu routers script NAME` for an openNDS router: the OpenWrt UCI commands, the same settings
 * as an opennds.conf (Debian and other non-UCI systems), and Wavu's deauth poller with how to
 * start it. Everything the router needs is here, the faskey included, so the output is a secret.
 */
import { isIP } from 'node:net';
import type { RouterRow } from '../adapter.ts';

/** How often the deauth poller reports and asks (seconds): the longest a revoked user stays on. */
export const SYNC_SECONDS = 5;

export interface OpenNdsScriptInput {
  router: RouterRow;
  faskey: string;
  publicUrl: string;
  /** The FAS's IP address as the router reaches it (openNDS opens its firewall for it). */
  fasIp?: string | undefined;
  syncSeconds?: number;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function openndsSettings(i: OpenNdsScriptInput): [string, string][] {
  const u = new URL(i.publicUrl);
  const level = i.router.openndsLevel === 1 ? 1 : 3;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const ip = isIP(host) ? host : (i.fasIp ?? 'FAS_IP_ADDRESS');
  const s: [string, string][] = [
    ['gatewayname', i.router.openndsGatewayName ?? i.router.name],
    ['gatewayfqdn', 'disable'],
    ['enable_serial_number_suffix', '0'],
    ['login_option_enabled', '0'],
    ['fas_secure_enabled', String(level)],
    ['fasport', port],
    ['fasremoteip', ip],
    ['faspath', `/opennds/${i.router.id}/`],
    ['faskey', i.faskey],
  ];
  if (level === 3) {
    // authmon polls every 10 s (openNDS 9.x's conf parser refuses nat_traversal_poll_interval).
    if (!isIP(host)) s.push(['fasremotefqdn', host]);
  }
  return s;
}

export function pollerScript(i: OpenNdsScriptInput): string {
  const url = `${i.publicUrl.replace(/\/$/, '')}/opennds/${i.router.id}/`;
  const hash = i.router.openndsGatewayHash ?? '';
  return `#!/bin/sh
# Wavu deauth poller for openNDS: every ${i.syncSeconds ?? SYNC_SECONDS} s it reports "ndsctl json" (usage, live
# sessions) and runs the "ndsctl deauth" Wavu asks for (revoked or expired codes).
URL=${q(url)}
HASH=${q(hash)}
INTERVAL=${i.syncSeconds ?? SYNC_SECONDS}
PHP=$(command -v php-cli || command -v php)
while true; do
  report="now=$(date +%s)
$(ndsctl json 2>/dev/null)"
  if [ -n "$PHP" ]; then
    reply=$("$PHP" -d default_socket_timeout=15 -f /usr/lib/opennds/post-request.php "$URL" wavu_sync "$HASH" "wavu-nds-sync" "$report")
  else
    b64=$(printf '%s' "$report" | base64 | tr -d '\\n' | sed 's/+/%2B/g; s/\\//%2F/g; s/=/%3D/g')
    reply=$(wget -q -T 15 -O - --post-data "auth_get=wavu_sync&gatewayhash=$HASH&payload=$b64" "$URL")
  fi
  case "$reply" in
    # ndsctl refuses while another ndsctl (authmon's) holds its lock: try a few times.
    "*"*) for mac in \${reply#\\*}; do
            for try in 1 2 3 4 5; do ndsctl deauth "$mac" >/dev/null 2>&1 && break; sleep 1; done
          done ;;
  esac
  sleep "$INTERVAL"
done
`;
}

export function openndsScript(i: OpenNdsScriptInput): string {
  const s = openndsSettings(i);
  const level = i.router.openndsLevel === 1 ? 1 : 3;
  const needsIp = s.some(([, v]) => v === 'FAS_IP_ADDRESS');
  return [
    `# Wavu setup for openNDS router "${i.router.name}" (FAS level ${level}). Keep this private: it holds the faskey.`,
    `# faskey: ${i.faskey}`,
    needsIp
      ? '# Replace FAS_IP_ADDRESS with the address Wavu has as the router sees it (or pass --fas-ip).'
      : null,
    level === 3
      ? "# Level 3: openNDS needs php-cli (php8-cli on OpenWrt) and a CA bundle that trusts Wavu's certificate."
      : '# Level 1: the FAS address is plain http on the LAN; the browser carries the login token.',
    '',
    '## OpenWrt (UCI)',
    ...s.map(([k, v]) => `uci set opennds.@opennds[0].${k}=${q(v)}`),
    'uci commit opennds',
    '/etc/init.d/opennds restart',
    '',
    '## Other systems: the same settings in /etc/opennds/opennds.conf',
    ...s.map(([k, v]) => `${k} ${v}`),
    '',
    '## The deauth poller: save as /usr/lib/wavu/wavu-nds-sync.sh, make it executable and start it at boot',
    '## (OpenWrt: add "/usr/lib/wavu/wavu-nds-sync.sh &" to /etc/rc.local before "exit 0").',
    pollerScript(i),
  ]
    .filter((l) => l !== null)
    .join('\n');
}
