/**
 * The setup text for an OPNsense captive portal in radius mode (`wavu routers script NAME`).
 * OPNsense takes only the time from RADIUS, and no Disconnect-Request: with an API key Wavu ends
 * sessions through its captive-portal API, without one a revoked code stays online until its
 * Session-Timeout. The text says which applies to this router.
 */
import type { GatewaySetupInput } from '../pfsense/script.ts';

export function opnsenseScript(i: GatewaySetupInput): string {
  const r = i.router;
  const host = new URL(i.publicUrl).hostname;
  const wavu = i.radiusAddress ?? host;
  const api = r.opnsenseUrl
    ? `#    Wavu has an API key for ${r.opnsenseUrl} (zone ${r.opnsenseZoneId}): revoked codes are logged off at once.`
    : `#    This router has no API key yet: until it does, a revoked code stays online until its
#    Session-Timeout (the time it had left). Add it with:
#      wavu routers update ${r.name} --opnsense-url https://<opnsense> --opnsense-key KEY --opnsense-secret SECRET --opnsense-zone N`;
  return `# Wavu setup for OPNsense router "${r.name}" (radius mode, opnsense profile)
# Nothing to upload: make these settings in the OPNsense web interface. The RADIUS secret
# below is a password: keep this text private.
#
# 1. System → Access → Servers → Add:
#      Type:                RADIUS
#      Hostname or IP:      ${wavu}
#      Shared Secret:       ${i.radiusSecret}
#      Services offered:    Authentication and Accounting
#      Authentication port: ${i.radiusPorts.auth}
#      Accounting port:     ${i.radiusPorts.acct}
#      Authentication Timeout: 5
#    (Wavu only accepts RADIUS from ${r.nasAddress ?? 'the address you gave it'}${r.nasIdentifier ? ` or as NAS-Identifier "${r.nasIdentifier}"` : ''}.)
# 2. Services → Captive Portal → Administration → Zones → Add (or edit) the guest zone:
#      Interfaces:        the guest interface
#      Authenticate using: the RADIUS server from step 1
#      Hard/Idle timeout: empty (Wavu sends Session-Timeout = the time the code has left)
#      Allowed addresses / hostnames: ${host}, so people can open the portal and pay first
#    Note the zone's number (the Zoneid column; the first zone is 0). OPNsense does not use
#    Wavu's rate limits or data caps: shape traffic on OPNsense itself if you need to.
# 3. Accounting: in the RADIUS server of step 1 leave accounting on, so Wavu sees sessions
#    and usage (Wavu asks for an update every ${i.interimSeconds} s).
# 4. API key, so Wavu can log people off when a code is revoked: System → Access → Users, make a
#    user with only the privilege "Services: Captive Portal" (GUI and API), and under API keys
#    press + to download its key file (key= and secret=).
${api}
# 5. People log in on the portal page with their access code as user name and password.
#
# Then check from Wavu:   wavu routers test ${r.name}
`;
}
