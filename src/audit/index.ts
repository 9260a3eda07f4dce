/** The audit log's public face: other features write and read it only through here. */
export {
  type Actor,
  actorName,
  CUSTOMER,
  cliActor,
  SYSTEM,
  staffActor,
  staffIdOf,
} from './actor.ts';
export { audit, type AuditEntry } from './audit.ts';
export { changesOf, type FieldChange } from './changes.ts';
export { type AuditRow, auditTrail, listAudit, listAuditQuery } from './list-audit.ts';
