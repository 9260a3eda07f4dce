-- access_authorize lives in one file; 0940, 1650 and 1850 say what each added to it.
\ir ../functions/access_authorize.sql
