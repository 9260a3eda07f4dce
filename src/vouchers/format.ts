/** "1 hour", "3 hours", "1 day", "90 min", "7 days" for tickets and SMS. */
export function formatDuration(seconds: number): string {
  const day = 86_400;
  if (seconds % day === 0) return seconds === day ? '1 day' : `${seconds / day} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Data cap for people: 500 MB, 1.5 GB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${Number((bytes / 1e9).toFixed(1))} GB`;
  return `${Math.round(bytes / 1e6)} MB`;
}

/** A code split in two for reading aloud and typing ("ACDEF GHJKM"); typed spaces are ignored. */
export function groupCode(code: string): string {
  return code.length >= 8
    ? `${code.slice(0, Math.ceil(code.length / 2))} ${code.slice(Math.ceil(code.length / 2))}`
    : code;
}

/** The URL a ticket's QR code opens: the portal's voucher page with the code filled in. */
export function portalUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/portal/voucher?code=${encodeURIComponent(code)}`;
}
