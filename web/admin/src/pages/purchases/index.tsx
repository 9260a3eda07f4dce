/** Payments: the list (search, filters, export, cash sale) and one payment with its timeline. */
import type { PageProps } from '../../app.tsx';
import { PurchaseDetail } from './detail.tsx';
import { PurchaseList } from './list.tsx';

export function PurchasesPage({ id, go }: PageProps) {
  if (id) return <PurchaseDetail id={id} back={() => go('purchases')} />;
  return <PurchaseList go={go} />;
}
