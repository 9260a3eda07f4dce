-- access_authorize now lives in one file (earlier versions: 0940, 1650, 1850); same body as 1850.
\ir ../functions/access_authorize.sql
