/** Loopback addresses and host names: this machine only, never reachable from a router or a phone. */

export function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./.test(ip);
}

/** A URL's host name (`localhost`, `127.0.0.1`, `[::1]`) that only this machine can reach. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || isLoopback(h);
}
