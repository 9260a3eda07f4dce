import type { AuditEntry, AuditFilters } from '../../../../../src/admin/http/api-types.ts';
import { usePagedQuery } from './paged.ts';

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, 'list', filters] as const,
};

export const useAudit = (filters: AuditFilters) =>
  usePagedQuery<AuditEntry>(auditKeys.list(filters), '/audit', filters);
