-- Banks are named as people write them: the list names them without 銀行
-- ("七十七"), so the pages said "七十七" and "共有先の銀行: 七十七". The list
-- is read with the suffix from now on (bank_data::display_name); this names
-- the banks already loaded the same way: the codes below 1000, and Japan
-- Post Bank (9900). Credit unions and cooperatives carry their kind already.
-- Expand only: names change, no column does; an older release shows the
-- new names.
UPDATE banks SET name = name || '銀行'
 WHERE (code < '1000' OR code = '9900') AND name NOT LIKE '%銀行';
