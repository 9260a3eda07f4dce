/** Access codes and vouchers: find, inspect, revoke; make, import and print batches; sell one for cash. */
import type { PageProps } from '../../app.tsx';
import { CodeDetail } from './detail.tsx';
import { CodeList } from './list.tsx';

export function VouchersPage({ id, go }: PageProps) {
  if (id) return <CodeDetail id={id} back={() => go('vouchers')} />;
  return <CodeList go={go} />;
}
