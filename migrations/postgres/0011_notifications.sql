-- Notifications (PostgreSQL). Keep in step with ../sqlite/0011_notifications.sql.

-- Every mail has a plain-text and a simple HTML part; mail about a case
-- names it (staff see on the case which mails went out); a mail the SMTP
-- server refused for good is marked failed with the reason; the process
-- that sent a mail is recorded.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
ALTER TABLE outbox ADD COLUMN claim_id UUID REFERENCES claims (id);
ALTER TABLE outbox ADD COLUMN failed_at TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN sent_by TEXT;
CREATE INDEX outbox_claim ON outbox (claim_id, created_at) WHERE claim_id IS NOT NULL;
CREATE INDEX outbox_open ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Where a bank wants its notices: its own address, its users, or both.
ALTER TABLE banks ADD COLUMN notify_email TEXT;
ALTER TABLE banks ADD COLUMN notify_users BOOLEAN NOT NULL DEFAULT TRUE;

-- When the claimant was told that every bank has answered.
ALTER TABLE claims ADD COLUMN bank_checked_at TIMESTAMPTZ;
UPDATE claims SET bank_checked_at = submitted_at
 WHERE EXISTS (SELECT 1 FROM debit_lines d WHERE d.claim_id = claims.id)
   AND NOT EXISTS (SELECT 1 FROM debit_lines d WHERE d.claim_id = claims.id AND d.bank_verdict IS NULL);
CREATE INDEX claims_bank_unchecked ON claims (submitted_at) WHERE bank_checked_at IS NULL;

-- Daily digests written: one row per kind, recipient group and day, so that
-- several processes write each digest once.
CREATE TABLE digests (
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    day   DATE NOT NULL,
    at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, scope, day)
);
