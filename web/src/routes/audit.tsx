import { AuditPage } from '../features/audit/audit-page';

export function Component() {
  return <AuditPage />;
}
