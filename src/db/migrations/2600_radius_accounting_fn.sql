-- One Accounting-Request of a hotspot session in one statement (src/radius/accounting.ts).
\ir ../functions/radius_accounting.sql
