-- access_authorize: a login that changes nothing reads without a lock and writes nothing.
\ir ../functions/access_authorize.sql
