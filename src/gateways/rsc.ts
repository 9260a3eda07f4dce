/** A RouterOS double-quoted string: `\`, `"`, `$` and `?` escaped, newlines as `\n`. */
export function rscString(s: string): string {
  return `"${s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\$/g, '\\$')
    .replace(/\?/g, '\\?')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')}"`;
}
