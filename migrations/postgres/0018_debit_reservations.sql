-- A debit is reserved once, when a case is approved (PostgreSQL). Keep in
-- step with ../sqlite/0018_debit_reservations.sql, which explains the rule.
CREATE TABLE debit_reservations (
    id             UUID PRIMARY KEY,
    debit_line_id  UUID NOT NULL REFERENCES debit_lines (id),
    claim_id       UUID NOT NULL REFERENCES claims (id),
    bank_code      TEXT NOT NULL,
    branch_code    TEXT NOT NULL,
    account_number TEXT NOT NULL,
    debit_date     DATE NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    bank_reference TEXT NOT NULL DEFAULT '',
    reserved       BIGINT NOT NULL CHECK (reserved > 0 AND reserved <= amount),
    reserved_by    UUID REFERENCES users (id),
    reserved_at    TIMESTAMPTZ NOT NULL,
    released_at    TIMESTAMPTZ,
    released_by    UUID REFERENCES users (id),
    release_reason TEXT,
    CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
CREATE UNIQUE INDEX debit_reservations_active
    ON debit_reservations (bank_code, branch_code, account_number, debit_date, amount, bank_reference)
    WHERE released_at IS NULL;
CREATE UNIQUE INDEX debit_reservations_line_active
    ON debit_reservations (debit_line_id) WHERE released_at IS NULL;
CREATE INDEX debit_reservations_claim ON debit_reservations (claim_id);

-- A blank reference conflicts with any active reservation of the same five
-- values. Two approvals at once must not both pass this check: each takes a
-- transaction-scoped lock on the debit's five values first, so the second
-- waits for the first to commit and then sees its row (under READ COMMITTED
-- each statement of the function reads anew). The error is a unique
-- violation, like the index's.
CREATE FUNCTION debit_reservations_one_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.released_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(
        NEW.bank_code || '/' || NEW.branch_code || '/' || NEW.account_number || '/'
            || NEW.debit_date::text || '/' || NEW.amount::text, 18));
    IF EXISTS (
        SELECT 1 FROM debit_reservations r
        WHERE r.released_at IS NULL AND r.bank_code = NEW.bank_code AND r.branch_code = NEW.branch_code
          AND r.account_number = NEW.account_number AND r.debit_date = NEW.debit_date AND r.amount = NEW.amount
          AND (r.bank_reference = '' OR NEW.bank_reference = '' OR r.bank_reference = NEW.bank_reference))
    THEN
        RAISE EXCEPTION 'debit_reserved_twice' USING ERRCODE = 'unique_violation',
            CONSTRAINT = 'debit_reservations_active';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER debit_reservations_one_active BEFORE INSERT ON debit_reservations
    FOR EACH ROW EXECUTE FUNCTION debit_reservations_one_active();

-- Written once; an active reservation may only be released, once.
CREATE FUNCTION debit_reservations_release_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'debit_reservations are never deleted';
    END IF;
    IF OLD.released_at IS NOT NULL OR NEW.released_at IS NULL
       OR (NEW.debit_line_id, NEW.claim_id, NEW.bank_code, NEW.branch_code, NEW.account_number, NEW.debit_date,
           NEW.amount, NEW.bank_reference, NEW.reserved)
          IS DISTINCT FROM
          (OLD.debit_line_id, OLD.claim_id, OLD.bank_code, OLD.branch_code, OLD.account_number, OLD.debit_date,
           OLD.amount, OLD.bank_reference, OLD.reserved) THEN
        RAISE EXCEPTION 'debit_reservations are released, never changed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER debit_reservations_release_only BEFORE UPDATE OR DELETE ON debit_reservations
    FOR EACH ROW EXECUTE FUNCTION debit_reservations_release_only();

-- The bank's confirmations looked up by its reference (a debit it already
-- confirmed on another claim is shown to the clerk and flagged on both).
CREATE INDEX line_answers_reference ON line_answers (bank_code, bank_reference) WHERE verdict = 'confirmed';

-- The cases whose money is already approved, scheduled or paid hold their
-- debits from now on; where two name one debit, the first by case number
-- keeps it (see the SQLite migration).
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
                    c.submitted_at, now()) AS at
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
SELECT gen_random_uuid(), line_id, claim_id, bank_code, branch_code, account_number, day, amount, ref,
       LEAST(approved, amount), NULL, at
FROM ranked
WHERE first_of_debit = 1 OR (least_ref <> '' AND first_of_ref = 1);

-- An approver may take an approval back before any money moved (the case
-- is reviewed again and its debits released): the ledger's movement
-- 'revoke' (owed to the claimant back to compensation).
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check,
    ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('approve', 'schedule', 'pay', 'fail', 'revoke'));

-- Every session of an account ends when its credentials change (a password
-- reset or change, an admin's reset of two-step login, a role change): the
-- session keeps the account's epoch from its login, and the guard refuses a
-- session whose epoch is older than the account's (on every process, at once).
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
