/**
 * The setup text for a UniFi site (`wavu routers script NAME`): nothing runs on the controller,
 * so it is the steps in the UniFi Network application, with this router's addresses filled in.
 */
import type { RouterRow } from '../adapter.ts';

export function unifiScript(o: { router: RouterRow; publicUrl: string; sharedSite: boolean }): string {
  const base = o.publicUrl.replace(/\/$/, '');
  const host = new URL(base).host;
  const portal = o.sharedSite ? `${base}/unifi/${o.router.id}` : base;
  const api =
    o.router.unifiApi === 'integration'
      ? 'the Network Integration API with the API key you gave (Settings → Control Plane → Integrations)'
      : o.router.unifiApi === 'unifi-os'
        ? `the controller API of the UniFi OS console, as the local account "${o.router.username}"`
        : `the classic controller API, as the local account "${o.router.username}"`;
  return `# Wavu setup for UniFi site "${o.router.unifiSite}" (router ${o.router.name})
# Wavu talks to ${o.router.unifiUrl} through ${api}.
#
# In UniFi Network (Settings → Hotspot / Guest Hub → Portal, or the guest network's settings):
#  1. Create or pick the guest WiFi network and turn on "Hotspot" / "Guest portal".
#  2. Authentication: "External portal server".
#  3. Portal address: ${portal}
#     (UniFi sends guests to ${portal}/guest/s/${o.router.unifiSite}/?id=<device MAC>&ap=…&url=…&ssid=…)
#  4. HTTPS redirection: on, if ${host} has a real certificate.
#  5. Pre-authorization access (walled garden): add ${host}
#     and, for M-Pesa, nothing else: the STK prompt reaches the phone over the mobile network.
#  6. Leave "Expiration" at its default: Wavu sends each guest's own minutes, data and rate limits.
#
# Then check from Wavu:   wavu routers test ${o.router.name}
`;
}
