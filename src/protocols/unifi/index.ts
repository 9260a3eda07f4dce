export {
  type GuestLimits,
  type UnifiApiKind,
  type UnifiClient,
  UnifiError,
  type UnifiErrorKind,
  type UnifiOptions,
  type UnifiStation,
  unifiClient,
} from './client.ts';
