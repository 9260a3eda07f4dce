/**
 * The setup text for a pfSense captive portal in radius mode (`wavu routers script NAME`):
 * nothing runs on pfSense, so it is the steps in its web interface with this router's values.
 * pfSense takes no Disconnect-Request, so the re-authentication every minute is what ends a
 * revoked or expired code's session: that step is not optional.
 */
import type { RouterRow } from '../adapter.ts';

export interface GatewaySetupInput {
  router: RouterRow;
  publicUrl: string;
  radiusSecret: string;
  /** Where the gateway sends RADIUS: the given address, else the PUBLIC_URL host. */
  radiusAddress?: string | undefined;
  radiusPorts: { auth: number; acct: number };
  interimSeconds: number;
}

export function pfsenseScript(i: GatewaySetupInput): string {
  const r = i.router;
  const host = new URL(i.publicUrl).hostname;
  const wavu = i.radiusAddress ?? host;
  return `# Wavu setup for pfSense router "${r.name}" (radius mode, pfsense profile)
# Nothing to upload: make these settings in the pfSense web interface. The RADIUS secret
# below is a password: keep this text private.
#
# 1. Services → Captive Portal → Add (or edit) the zone for the guest interface, and enable it.
# 2. Authentication: "Use an Authentication backend", method RADIUS. Authentication Server:
#    add one under System → User Manager → Authentication Servers (type RADIUS):
#      Hostname or IP address:  ${wavu}
#      Shared Secret:           ${i.radiusSecret}
#      Services offered:        Authentication and Accounting
#      Authentication port:     ${i.radiusPorts.auth}
#      Accounting port:         ${i.radiusPorts.acct}
#      Authentication Timeout:  5
#      RADIUS NAS IP Attribute: the interface with address ${r.nasAddress ?? '(the address you gave Wavu)'}
#    (Wavu only accepts RADIUS from ${r.nasAddress ?? 'the address you gave it'}${r.nasIdentifier ? ` or as NAS-Identifier "${r.nasIdentifier}"` : ''}.)
#    Back in the zone: Protocol PAP, and select that server as the primary.
# 3. Reauthenticate connected users every minute: ON (Reauthenticate Users). This is how a
#    revoked or expired code goes offline: pfSense asks Wavu again every minute and Wavu refuses
#    it. pfSense has no Disconnect-Request (CoA) port for Wavu to use.
# 4. Accounting: "Send RADIUS accounting packets" ON, Accounting updates "Interim"
#    (Wavu asks for an update every ${i.interimSeconds} s with Acct-Interim-Interval).
# 5. Per-user bandwidth restriction: ON, so the plan's rates apply (Wavu sends
#    pfSense-Bandwidth-Max-Up/Down in bit/s). Session timeout and data caps come from Wavu
#    (Session-Timeout = time left, pfSense-Max-Total-Octets = data left): leave the zone's
#    own Hard/Idle timeout empty.
# 6. Allowed Hostnames: add ${host}, so people can open the portal and pay before logging in.
# 7. Post-authentication redirection URL (optional): ${i.publicUrl.replace(/\/$/, '')}/portal
# 8. People log in on pfSense's portal page with their access code as user name and password.
#
# Then, after the first login, check from Wavu:   wavu routers show ${r.name}
`;
}
