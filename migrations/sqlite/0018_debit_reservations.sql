-- A debit is reserved once, when a case is approved (SQLite). Keep in step
-- with ../postgres/0018_debit_reservations.sql.
--
-- A real-world debit is identified by its bank, branch, account, date and
-- amount (the bank's confirmed date and amount where it confirmed them) and,
-- once the bank gave one, its transaction reference. Two reservations are of
-- the same debit when those five agree and the references do not tell them
-- apart (either is blank, or both are the same). Only one such reservation
-- may be active: it is written in the approval's transaction and stays while
-- the money is approved, scheduled or paid; rejection, withdrawal, closure or
-- an approver's release (a failed payment that will not be retried) ends it.
CREATE TABLE debit_reservations (
    id             BLOB PRIMARY KEY,
    debit_line_id  BLOB NOT NULL REFERENCES debit_lines (id),
    claim_id       BLOB NOT NULL REFERENCES claims (id),
    bank_code      TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    account_number TEXT NOT NULL,
    debit_date     DATE NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    bank_reference TEXT NOT NULL DEFAULT '',
    -- The approved amount this case may pay for the debit.
    reserved       BIGINT NOT NULL CHECK (reserved > 0 AND reserved <= amount),
    reserved_by    BLOB REFERENCES users (id),
    reserved_at    TEXT NOT NULL,
    released_at    TEXT,
    released_by    BLOB REFERENCES users (id),
    release_reason TEXT,
    CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
-- The same debit with the same reference, and one line, active once.
CREATE UNIQUE INDEX debit_reservations_active
    ON debit_reservations (bank_code, branch_code, account_number, debit_date, amount, bank_reference)
    WHERE released_at IS NULL;
CREATE UNIQUE INDEX debit_reservations_line_active
    ON debit_reservations (debit_line_id) WHERE released_at IS NULL;
CREATE INDEX debit_reservations_claim ON debit_reservations (claim_id);
-- A blank reference cannot tell two debits apart: it conflicts with any
-- active reservation of the same five values (SQLite has one writer, so the
-- check cannot race).
CREATE TRIGGER debit_reservations_one_active BEFORE INSERT ON debit_reservations
WHEN NEW.released_at IS NULL AND EXISTS (
    SELECT 1 FROM debit_reservations r
    WHERE r.released_at IS NULL AND r.bank_code = NEW.bank_code AND r.branch_code = NEW.branch_code
      AND r.account_number = NEW.account_number AND r.debit_date = NEW.debit_date AND r.amount = NEW.amount
      AND (r.bank_reference = '' OR NEW.bank_reference = '' OR r.bank_reference = NEW.bank_reference))
BEGIN SELECT RAISE(ABORT, 'debit_reserved_twice'); END;
-- Written once; an active reservation may only be released, once.
CREATE TRIGGER debit_reservations_release_only BEFORE UPDATE ON debit_reservations
WHEN OLD.released_at IS NOT NULL OR NEW.released_at IS NULL
  OR NEW.debit_line_id <> OLD.debit_line_id OR NEW.claim_id <> OLD.claim_id
  OR NEW.bank_code <> OLD.bank_code OR NEW.branch_code <> OLD.branch_code
  OR NEW.account_number <> OLD.account_number OR NEW.debit_date <> OLD.debit_date
  OR NEW.amount <> OLD.amount OR NEW.bank_reference <> OLD.bank_reference OR NEW.reserved <> OLD.reserved
BEGIN SELECT RAISE(ABORT, 'debit_reservations are released, never changed'); END;
CREATE TRIGGER debit_reservations_no_delete BEFORE DELETE ON debit_reservations
BEGIN SELECT RAISE(ABORT, 'debit_reservations are never deleted'); END;

-- The bank's confirmations looked up by its reference (a debit it already
-- confirmed on another claim is shown to the clerk and flagged on both).
CREATE INDEX line_answers_reference ON line_answers (bank_code, bank_reference) WHERE verdict = 'confirmed';

-- The cases whose money is already approved, scheduled or paid hold their
-- debits from now on. Where two of them name one debit (what this table now
-- forbids), the first by case number keeps it; the other stays unreserved,
-- which the ledger check reports and a batch's release refuses.
WITH latest AS (
    SELECT a.line_id, a.verdict, a.confirmed_amount, a.bank_date, a.bank_reference,
           ROW_NUMBER() OVER (PARTITION BY a.line_id ORDER BY a.at DESC) AS n
    FROM line_answers a
), keyed AS (
    SELECT d.id AS line_id, d.claim_id, d.position, c.seq, d.bank_code, d.branch_code, d.account_number,
           COALESCE(CASE WHEN a.verdict = 'confirmed' THEN a.bank_date END, d.debit_date) AS day,
           COALESCE(CASE WHEN a.verdict = 'confirmed' THEN a.confirmed_amount END, d.amount) AS amount,
           UPPER(TRIM(COALESCE(CASE WHEN a.verdict = 'confirmed' THEN a.bank_reference END, ''))) AS ref,
           d.approved_amount AS approved,
           COALESCE((SELECT MAX(e.at) FROM claim_events e WHERE e.claim_id = c.id AND e.action = 'approve'),
                    c.submitted_at) AS at
    FROM debit_lines d JOIN claims c ON c.id = d.claim_id
    LEFT JOIN latest a ON a.line_id = d.id AND a.n = 1
    WHERE c.state IN ('approved', 'payout_scheduled', 'paid', 'payout_failed') AND d.approved_amount > 0
), ranked AS (
    SELECT k.*,
           ROW_NUMBER() OVER (PARTITION BY bank_code, branch_code, account_number, day, amount
                              ORDER BY seq, position) AS first_of_debit,
           ROW_NUMBER() OVER (PARTITION BY bank_code, branch_code, account_number, day, amount, ref
                              ORDER BY seq, position) AS first_of_ref,
           MIN(ref) OVER (PARTITION BY bank_code, branch_code, account_number, day, amount) AS least_ref
    FROM keyed k
)
INSERT INTO debit_reservations (id, debit_line_id, claim_id, bank_code, branch_code, account_number, debit_date,
                                amount, bank_reference, reserved, reserved_by, reserved_at)
SELECT randomblob(16), line_id, claim_id, bank_code, branch_code, account_number, day, amount, ref,
       MIN(approved, amount), NULL, at
FROM ranked
WHERE first_of_debit = 1 OR (least_ref <> '' AND first_of_ref = 1);

-- An approver may take an approval back before any money moved (the case
-- is reviewed again and its debits released): the ledger's movement
-- 'revoke' (owed to the claimant back to compensation). SQLite cannot
-- change a CHECK, so the append-only table is rebuilt with its indexes and
-- triggers.
CREATE TABLE ledger_entries_new (
    id       BLOB PRIMARY KEY,
    txn_id   BLOB NOT NULL,
    claim_id BLOB NOT NULL REFERENCES claims (id),
    batch_id BLOB REFERENCES payout_batches (id),
    account  TEXT NOT NULL CHECK (account IN ('compensation', 'owed_to_claimant', 'scheduled', 'paid_out')),
    amount   BIGINT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('approve', 'schedule', 'pay', 'fail', 'revoke')),
    at       TEXT NOT NULL
);
INSERT INTO ledger_entries_new (id, txn_id, claim_id, batch_id, account, amount, kind, at)
    SELECT id, txn_id, claim_id, batch_id, account, amount, kind, at FROM ledger_entries;
DROP TRIGGER ledger_entries_no_update;
DROP TRIGGER ledger_entries_no_delete;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
CREATE INDEX ledger_entries_claim ON ledger_entries (claim_id);
CREATE INDEX ledger_entries_txn ON ledger_entries (txn_id);
CREATE INDEX ledger_entries_kind_at ON ledger_entries (kind, at);
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries are append-only'); END;

-- Every session of an account ends when its credentials change (a password
-- reset or change, an admin's reset of two-step login, a role change): the
-- session keeps the account's epoch from its login, and the guard refuses a
-- session whose epoch is older than the account's (on every process, at once).
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
