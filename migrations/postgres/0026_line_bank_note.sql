-- The bank's words on its newest answer for a line, beside its verdict and
-- confirmed amount: why it confirmed less than claimed, or its dispute
-- note. The reviewer reads it on the case page without opening the
-- answers' history. Expand only: a new column, empty until answered; an
-- older release does not read it.
ALTER TABLE debit_lines ADD COLUMN bank_note TEXT;

-- A claim sent after its bank reported a debit looks for that report on its
-- accounts (services::bank_import::match_reported): only the debits no
-- claim names yet.
CREATE INDEX bank_debits_unclaimed ON bank_debits (bank_code, branch_code, account_number)
    WHERE status = 'unmatched';
