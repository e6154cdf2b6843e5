-- The flags compare a claim with the others that name one of its accounts
-- or debits, or share its claimant, phone or address within a day. Each
-- comparison is a lookup by these keys, not a scan of every claim or line:
-- a submission computes them at once, and at a million claims a scan is
-- seconds.
CREATE INDEX debit_lines_account ON debit_lines (bank_code, branch_code, account_number);
CREATE INDEX claims_phone ON claims (phone, submitted_at);
CREATE INDEX claims_submit_ip ON claims (submit_ip, submitted_at);
