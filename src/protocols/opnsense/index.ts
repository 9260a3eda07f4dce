export {
  type OpnsenseClient,
  OpnsenseError,
  type OpnsenseErrorKind,
  type OpnsenseOptions,
  type OpnsenseSession,
  opnsenseClient,
} from './client.ts';
