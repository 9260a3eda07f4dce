-- The language the buyer used at the portal, so the receipt SMS is in it (NULL: English).
ALTER TABLE purchases ADD COLUMN lang text CHECK (lang IN ('en', 'sw'));
-- A plan's name in Kiswahili for the portal and SMS in that language (NULL: the name as is).
ALTER TABLE plans ADD COLUMN name_sw text CHECK (length(name_sw) BETWEEN 1 AND 60);
