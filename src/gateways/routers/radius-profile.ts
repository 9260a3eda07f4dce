/**
 * Whose RADIUS attributes a radius-mode router takes (migration 1900). The list belongs to the
 * router's record, so it lives here; what each profile is sent is the radius feature's business
 * (radius/profiles.ts).
 */
export const RADIUS_PROFILES = ['mikrotik', 'pfsense', 'opnsense'] as const;
export type RadiusProfile = (typeof RADIUS_PROFILES)[number];

/** Acct-Interim-Interval handed out, and printed in setup scripts; sessions silent for 3× this are closed. */
export const INTERIM_SECONDS = 300;
