-- A customer is a phone number (docs/architecture.md), whoever sold to it: every M-Pesa buyer
-- (STK or Paybill/Till), every cash buyer, every phone a voucher was texted to. The customers
-- table only ever held cash buyers (and their names), so the list is derived from every place a
-- phone is recorded instead of kept as a second copy that could drift. Last seen is the latest of
-- a purchase, a code issued to the phone, or a device of one of its codes seen online.
CREATE VIEW customer_activity AS
WITH touch AS (
  SELECT phone, created_at AS at FROM purchases WHERE phone IS NOT NULL
  UNION ALL SELECT recipient_phone, created_at FROM purchases WHERE recipient_phone ~ '^254[17][0-9]{8}$'
  UNION ALL SELECT phone, issued_at FROM access_codes WHERE phone IS NOT NULL
  UNION ALL SELECT c.phone, d.last_seen_at FROM access_codes c JOIN access_devices d ON d.access_code_id = c.id
             WHERE c.phone IS NOT NULL AND d.last_seen_at IS NOT NULL
  UNION ALL SELECT phone, created_at FROM customers
)
SELECT t.phone,
       (SELECT cu.name FROM customers cu WHERE cu.phone = t.phone) AS name,
       min(t.at) AS first_seen,
       max(t.at) AS last_seen,
       (SELECT count(*) FROM purchases p WHERE p.phone = t.phone AND p.status = 'paid')::int AS purchases,
       (SELECT coalesce(sum(coalesce(p.paid_amount_kes, p.amount_kes)), 0) FROM purchases p
         WHERE p.phone = t.phone AND p.status = 'paid')::bigint AS spent,
       (SELECT max(p.paid_at) FROM purchases p WHERE p.phone = t.phone AND p.status = 'paid') AS last_paid,
       (SELECT count(*) FROM access_codes a WHERE a.phone = t.phone)::int AS codes
  FROM touch t
 GROUP BY t.phone;
