-- Payments: an expired STK push is asked about again later (money can move after our timeout), so
-- the reconciler also looks at expired purchases that still have a next_check_at.
CREATE INDEX purchases_late_check_idx ON purchases (next_check_at)
  WHERE status = 'expired' AND next_check_at IS NOT NULL;
-- Callbacks are looked up by receipt when C2B and STK report the same payment.
CREATE INDEX callback_inbox_receipt_idx ON callback_inbox (receipt) WHERE receipt IS NOT NULL;
