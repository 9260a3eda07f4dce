-- Vouchers imported with a username and a different password (Mikhmon and other voucher tools
-- export these): the username is the code (code_hash, code_sealed as before); the password is kept
-- the same two ways, hashed for the check and sealed so staff can reprint the ticket.
ALTER TABLE access_codes ADD COLUMN password_hash text, ADD COLUMN password_sealed text;

-- access_authorize checks the password in the same statement. The function's one source is
-- src/db/functions/access_authorize.sql, loaded by migration 2440 (which drops every earlier
-- version), so its body is no longer restated here.
