-- The bank's words on its newest answer for a line, beside its verdict and
-- confirmed amount: why it confirmed less than claimed, or its dispute
-- note. The reviewer reads it on the case page without opening the
-- answers' history. Expand only: a new column, empty until answered; an
-- older release does not read it.
ALTER TABLE debit_lines ADD COLUMN bank_note TEXT;
