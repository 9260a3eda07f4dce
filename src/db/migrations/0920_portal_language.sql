-- The language the buyer used at the portal, so the receipt SMS is in it (NULL: English).
ALTER TABLE purchases ADD COLUMN lang text CHECK (lang IN ('en', 'sw'));
-- A plan's name in Kiswahili for the portal and SMS in that language (NULL: the name as is).
ALTER TABLE plans ADD COLUMN name_sw text CHECK (length(name_sw) BETWEEN 1 AND 60);
-- The seeded packages, named in Kiswahili (plans an operator renamed keep their own name).
UPDATE plans SET name_sw = CASE name
    WHEN '1 Hour' THEN 'Saa 1' WHEN '3 Hours' THEN 'Saa 3' WHEN '6 Hours' THEN 'Saa 6' WHEN '24 Hours' THEN 'Saa 24'
  END
  WHERE name IN ('1 Hour', '3 Hours', '6 Hours', '24 Hours') AND name_sw IS NULL;
