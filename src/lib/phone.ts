/**
 * Kenyan mobile numbers, normalised to 254[17]XXXXXXXX as Daraja expects. Accepts the forms people
 * type: 0712345678, 712345678, +254712345678, 254712345678, with spaces or dashes, and 011x numbers;
 * also the international-prefix form 00254712345678 and the common slip +254 0712345678.
 */
const NORMAL = /^254[17]\d{8}$/;

export function normalizePhone(input: string): string | null {
  let digits = input.replace(/[\s\-().]/g, '').replace(/^\+/, '');
  if (!/^\d+$/.test(digits)) return null;
  if (digits.startsWith('00254')) digits = digits.slice(2);
  // "+254 0712…": a trunk 0 kept after the country code.
  if (/^2540[17]\d{8}$/.test(digits)) digits = `254${digits.slice(4)}`;
  let n: string;
  if (digits.startsWith('254')) n = digits;
  else if (digits.startsWith('0')) n = `254${digits.slice(1)}`;
  else if (digits.length === 9) n = `254${digits}`;
  else return null;
  return NORMAL.test(n) ? n : null;
}

/**
 * Kenyan mobile ranges of other networks (Communications Authority numbering plan): M-Pesa's STK
 * push only reaches Safaricom lines, so a request to one of these would never arrive. Listed by
 * exclusion, so a range Safaricom opens later is not refused.
 */
const OTHER_NETWORKS: [RegExp, string][] = [
  [/^2547(3\d|5[0-6]|62|8\d)/, 'Airtel'],
  [/^25410[0-2]/, 'Airtel'],
  [/^25477\d/, 'Telkom'],
  [/^25476[3-6]/, 'Equitel'],
  [/^254747/, 'Faiba'],
];

/** The network of a normalised number that M-Pesa cannot charge, or null (Safaricom or unknown). */
export function nonMpesaNetwork(normal: string): string | null {
  for (const [re, name] of OTHER_NETWORKS) if (re.test(normal)) return name;
  return null;
}

export const isNormalPhone = (s: string): boolean => NORMAL.test(s);

/** 254712345678 → 0712 345 678, for people reading it. */
export function displayPhone(p: string): string {
  if (!isNormalPhone(p)) return p;
  const local = `0${p.slice(3)}`;
  return `${local.slice(0, 4)} ${local.slice(4, 7)} ${local.slice(7)}`;
}

/** 254712345678 → 0712***678, for logs and screens that should not show a whole number. */
export function maskPhone(p: string): string {
  if (!isNormalPhone(p)) return '***';
  return `0${p.slice(3, 6)}***${p.slice(9)}`;
}
