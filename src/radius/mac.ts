/**
 * MAC addresses arrive in whatever `radius-mac-format` the gateway uses (XX:XX:XX:XX:XX:XX,
 * XX-XX-…, XXXXXXXXXXXX, XXXX:XXXX:XXXX, XXXXXX-XXXXXX, lower case on some vendors). We store
 * them as AA:BB:CC:DD:EE:FF (the access_devices CHECK).
 */
export function parseMac(input: string | undefined): string | null {
  if (!input) return null;
  const s = input.trim();
  if (
    !/^[0-9A-Fa-f]{2}([-: .]?[0-9A-Fa-f]{2}){5}$/.test(s) &&
    !/^[0-9A-Fa-f]{4}([:.][0-9A-Fa-f]{4}){2}$/.test(s) &&
    !/^[0-9A-Fa-f]{6}[-:][0-9A-Fa-f]{6}$/.test(s)
  )
    return null;
  const hex = s.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  if (hex.length !== 12) return null;
  return hex.match(/../g)!.join(':');
}
