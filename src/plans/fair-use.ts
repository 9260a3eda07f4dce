/**
 * The fair-use rate of a plan: the speed a code drops to once its data cap is used, instead of
 * being cut off. Written as MikroTik writes a `rate-limit`, `rx/tx` from the router's side, so
 * `up/down` for the customer: "512k/512k", "256k/1M". Only the plain two-rate form is taken (no
 * bursts): every gateway can be given it as two numbers.
 */
const RATE = /^(\d{1,7})([kM])$/;
const MAX_KBPS = 10_000_000;

/** Kbit/s of one side ("512k" → 512, "2M" → 2000), or null if it is not a rate we take. */
function sideKbps(s: string): number | null {
  const m = RATE.exec(s);
  if (!m) return null;
  const kbps = Number(m[1]) * (m[2] === 'M' ? 1000 : 1);
  return kbps >= 1 && kbps <= MAX_KBPS ? kbps : null;
}

/** `up/down` in kbit/s, or null when the text is not a valid fair-use rate. */
export function parseFairUseRate(text: string): { upKbps: number; downKbps: number } | null {
  const parts = text.trim().split('/');
  if (parts.length !== 2) return null;
  const up = sideKbps(parts[0]!);
  const down = sideKbps(parts[1]!);
  return up === null || down === null ? null : { upKbps: up, downKbps: down };
}

export const FAIR_USE_RATE_HINT = 'Write it as upload/download, e.g. 512k/512k or 1M/2M';

/**
 * The rate a code runs at: the plan's own, or its fair-use rate once it is over its cap. One rule
 * for everything that tells a gateway the speed (hotspot profile, RADIUS reply, CoA).
 */
export function effectiveRate(
  plan: { rateUpKbps: number | null; rateDownKbps: number | null; fairUseRate: string | null },
  overCap: boolean,
): { rateUpKbps: number | null; rateDownKbps: number | null } {
  const fair = overCap && plan.fairUseRate ? parseFairUseRate(plan.fairUseRate) : null;
  if (!fair) return { rateUpKbps: plan.rateUpKbps, rateDownKbps: plan.rateDownKbps };
  return { rateUpKbps: fair.upKbps, rateDownKbps: fair.downKbps };
}
