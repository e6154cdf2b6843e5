-- Payouts (SQLite): batches, their lines and results, the ledger, the debits
-- paid, and the cost split. Keep in step with ../postgres/0010_payouts.sql.

INSERT INTO counters (name, value) VALUES ('payout_batch', 0);

-- A batch of transfers: open (made by a payments user), released (by an
-- approver who did not make it), done (every line has its result). The
-- Zengin file is written once, at the first export, and kept.
CREATE TABLE payout_batches (
    id            BLOB PRIMARY KEY,
    number        BIGINT NOT NULL UNIQUE,
    -- The form's one-time token: posting the same form again finds this batch.
    request_id    TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL CHECK (state IN ('open', 'released', 'done')),
    transfer_date DATE NOT NULL,
    line_count    BIGINT NOT NULL CHECK (line_count > 0),
    total         BIGINT NOT NULL CHECK (total > 0),
    created_by    BLOB NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    released_by   BLOB REFERENCES users (id),
    released_at   TEXT,
    file          BLOB,
    file_sha256   TEXT,
    exported_at   TEXT,
    CHECK (released_by IS NULL OR released_by <> created_by)
);

-- One transfer: the payee as it was when the batch was made, the amount,
-- and the bank's result.
CREATE TABLE payout_lines (
    id             BLOB PRIMARY KEY,
    batch_id       BLOB NOT NULL REFERENCES payout_batches (id),
    claim_id       BLOB NOT NULL REFERENCES claims (id),
    position       BIGINT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    bank_code      TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    account_type   TEXT NOT NULL,
    account_number TEXT NOT NULL,
    payee_kana     TEXT NOT NULL,
    result         TEXT CHECK (result IN ('paid', 'failed')),
    paid_on        DATE,
    fail_reason    TEXT CHECK (fail_reason IN ('account_closed', 'name_mismatch', 'other')),
    fail_note      TEXT,
    recorded_by    BLOB REFERENCES users (id),
    recorded_at    TEXT,
    UNIQUE (batch_id, position),
    UNIQUE (batch_id, claim_id),
    CHECK ((result IS NULL AND paid_on IS NULL AND fail_reason IS NULL)
        OR (result = 'paid' AND paid_on IS NOT NULL AND fail_reason IS NULL)
        OR (result = 'failed' AND paid_on IS NULL AND fail_reason IS NOT NULL))
);
-- A case waits in one batch at a time, and is paid once.
CREATE UNIQUE INDEX payout_lines_pending ON payout_lines (claim_id) WHERE result IS NULL;
CREATE UNIQUE INDEX payout_lines_paid ON payout_lines (claim_id) WHERE result = 'paid';

-- When the claimant last gave another payout account (after a failed
-- transfer, a new batch may take the case again).
ALTER TABLE claims ADD COLUMN payout_changed_at TEXT;

-- Double entry: every movement is rows that sum to zero (debit positive,
-- credit negative) under one txn_id. Accounts: compensation (the expense),
-- owed_to_claimant, scheduled, paid_out (the money that left).
CREATE TABLE ledger_entries (
    id       BLOB PRIMARY KEY,
    txn_id   BLOB NOT NULL,
    claim_id BLOB NOT NULL REFERENCES claims (id),
    batch_id BLOB REFERENCES payout_batches (id),
    account  TEXT NOT NULL CHECK (account IN ('compensation', 'owed_to_claimant', 'scheduled', 'paid_out')),
    amount   BIGINT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('approve', 'schedule', 'pay', 'fail')),
    at       TEXT NOT NULL
);
CREATE INDEX ledger_entries_claim ON ledger_entries (claim_id);
CREATE INDEX ledger_entries_txn ON ledger_entries (txn_id);
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries are append-only'); END;

-- Each debit line paid, once in the whole system: by its id, and by what
-- identifies the money (bank, account, date, amount, the bank's reference).
CREATE TABLE paid_debits (
    debit_line_id  BLOB PRIMARY KEY REFERENCES debit_lines (id),
    claim_id       BLOB NOT NULL REFERENCES claims (id),
    payout_line_id BLOB NOT NULL REFERENCES payout_lines (id),
    bank_code      TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    account_number TEXT NOT NULL,
    debit_date     DATE NOT NULL,
    amount         BIGINT NOT NULL,
    bank_reference TEXT NOT NULL,
    UNIQUE (bank_code, branch_code, account_number, debit_date, amount, bank_reference)
);

-- Each bank's share of the debits at its accounts (percent; the operator
-- pays the rest and every call and travel cost), and the split recorded per
-- paid case and bank.
ALTER TABLE banks ADD COLUMN cost_share_percent BIGINT NOT NULL DEFAULT 50
    CHECK (cost_share_percent BETWEEN 0 AND 100);
CREATE TABLE cost_shares (
    claim_id       BLOB NOT NULL REFERENCES claims (id),
    bank_code      TEXT NOT NULL REFERENCES banks (code),
    debits_paid    BIGINT NOT NULL,
    share_percent  BIGINT NOT NULL,
    bank_share     BIGINT NOT NULL,
    operator_share BIGINT NOT NULL,
    paid_on        DATE NOT NULL,
    PRIMARY KEY (claim_id, bank_code),
    CHECK (bank_share + operator_share = debits_paid)
);
