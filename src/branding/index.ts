/** Branding: the business's name, colour and support phone, with the one default. */
export {
  type Branding,
  brandingFrom,
  brandingFromSetting,
  contrast,
  DEFAULT_BRANDING,
  loadBranding,
  luminance,
} from './branding.ts';
