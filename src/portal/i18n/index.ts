/** Language choice: `?lang=` wins (and is remembered in a cookie), then the cookie, then English. */
import { type Dict, en } from './en.ts';
import { sw } from './sw.ts';

export type Lang = 'en' | 'sw';
export const LANGS: Lang[] = ['en', 'sw'];
const DICTS: Record<Lang, Dict> = { en, sw };

export const isLang = (v: unknown): v is Lang => v === 'en' || v === 'sw';
export const dict = (lang: Lang): Dict => DICTS[lang];

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function pickLang(
  queryLang: unknown,
  cookieHeader: string | undefined,
): { lang: Lang; fromQuery: boolean } {
  if (isLang(queryLang)) return { lang: queryLang, fromQuery: true };
  const c = cookieValue(cookieHeader, 'wavu_lang');
  return { lang: isLang(c) ? c : 'en', fromQuery: false };
}

export type { Dict };
