-- The dashboard's and the regulator's figures, kept in the transactions
-- that change them instead of counted over every claim at each view.
--
-- `claim_figures` says what one claim adds to every figure, from its rows
-- as they are now: its state per bank (dated by its SLA clock), what it
-- reported per bank (dated when it was sent), each decision, each bank
-- answer's change to the confirmed lines (the latest answer counts), its
-- approved lines (dated by its first approval), its paid debits (dated
-- when the payment was recorded), its ledger totals and its days to
-- payment. `at` is the moment a dated figure took effect, `day` the day in
-- Japan it falls on.
--
-- Every change of a row the view reads touches its claim twice: before the
-- row changes the claim's figures are taken away (into figures_pending),
-- after it they are added again, and only the difference is appended to
-- kept_figures. A figure is the sum of its rows; a periodic compaction
-- folds the appended rows into one row per (bank, metric, day).
CREATE TABLE kept_figures (
    bank_code TEXT NOT NULL,
    metric    TEXT NOT NULL,
    day       TEXT NOT NULL,
    n         BIGINT NOT NULL,
    lines     BIGINT NOT NULL,
    amount    BIGINT NOT NULL
);
CREATE INDEX kept_figures_key ON kept_figures (bank_code, metric, day);

CREATE TABLE figures_pending (
    claim_id  UUID NOT NULL,
    bank_code TEXT NOT NULL,
    metric    TEXT NOT NULL,
    day       TEXT NOT NULL,
    n         BIGINT NOT NULL,
    lines     BIGINT NOT NULL,
    amount    BIGINT NOT NULL
);
CREATE INDEX figures_pending_claim ON figures_pending (claim_id);

-- While a row is here (a bulk load), nothing is kept; `redress` recounts
-- the figures afterwards (store::figures::recount).
CREATE TABLE figures_paused (one INTEGER PRIMARY KEY CHECK (one = 1));

CREATE INDEX paid_debits_claim ON paid_debits (claim_id);
CREATE INDEX paid_debits_payout_line ON paid_debits (payout_line_id);
CREATE INDEX payout_lines_recorded ON payout_lines (recorded_at);
CREATE INDEX claim_events_decided ON claim_events (at) WHERE to_state IN ('approved', 'rejected');

CREATE VIEW claim_figures AS
SELECT c.id AS claim_id, '' AS bank_code, 'state:' || c.state AS metric, COALESCE(to_char(c.sla_start, 'YYYY-MM-DD'), '') AS day,
       CAST(NULL AS TIMESTAMPTZ) AS at, CAST(1 AS BIGINT) AS n, CAST(0 AS BIGINT) AS lines, CAST(0 AS BIGINT) AS amount, ',claim,' AS parts
  FROM claims c
UNION ALL
SELECT c.id, l.bank_code, 'state:' || c.state, COALESCE(to_char(c.sla_start, 'YYYY-MM-DD'), ''), NULL, 1, 0, 0, ',claim,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 GROUP BY c.id, l.bank_code
UNION ALL
SELECT c.id, '', 'reported', to_char(c.submitted_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), c.submitted_at, 1, 0, 0, ',claim,'
  FROM claims c
UNION ALL
SELECT c.id, l.bank_code, 'reported', to_char(c.submitted_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), c.submitted_at, 1, COUNT(*), CAST(SUM(l.amount) AS BIGINT), ',claim,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 GROUP BY c.id, c.submitted_at, l.bank_code
UNION ALL
SELECT e.claim_id, '', 'decided', to_char(e.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), e.at, 1, 0, 0, ',decided,'
  FROM claim_events e
 WHERE e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
UNION ALL
SELECT e.claim_id, l.bank_code, 'decided', to_char(e.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), e.at, 1, 0, 0, ',decided,'
  FROM claim_events e JOIN debit_lines l ON l.claim_id = e.claim_id
 WHERE e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
 GROUP BY e.claim_id, e.id, e.at, l.bank_code
UNION ALL
SELECT a.claim_id, a.bank_code, 'confirmed', to_char(a.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), a.at,
       CASE WHEN a.verdict = 'confirmed' THEN 1 ELSE 0 END - CASE WHEN a.prev >= 0 THEN 1 ELSE 0 END,
       0,
       CASE WHEN a.verdict = 'confirmed' THEN COALESCE(a.confirmed_amount, 0) ELSE 0 END
           - CASE WHEN a.prev > 0 THEN a.prev ELSE 0 END, ',confirmed,'
  FROM (SELECT l.claim_id, x.bank_code, x.at, x.verdict, x.confirmed_amount,
               -- The answer before this one for the same line: its confirmed
               -- amount (0 when none was given), -1 when disputed.
               (SELECT CASE WHEN b.verdict = 'confirmed' THEN COALESCE(b.confirmed_amount, 0) ELSE -1 END
                  FROM line_answers b
                 WHERE b.line_id = x.line_id AND (b.at < x.at OR (b.at = x.at AND b.id < x.id))
                 ORDER BY b.at DESC, b.id DESC LIMIT 1) AS prev
          FROM debit_lines l JOIN line_answers x ON x.line_id = l.id) a
UNION ALL
-- Approved: from the claim's first approval (the earliest 'approve' entry
-- of the ledger; an approval's entries share their moment, the id breaks the tie).
SELECT f.claim_id, l.bank_code, 'approved', to_char(f.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), f.at,
       1, COUNT(*), CAST(SUM(COALESCE(l.approved_amount, 0)) AS BIGINT), ',ledger,'
  FROM ledger_entries f JOIN debit_lines l ON l.claim_id = f.claim_id
 WHERE f.kind = 'approve'
   AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                    WHERE e.claim_id = f.claim_id AND e.kind = 'approve'
                      AND (e.at < f.at OR (e.at = f.at AND e.id < f.id)))
 GROUP BY f.claim_id, f.id, f.at, l.bank_code
UNION ALL
SELECT p.claim_id, l.bank_code, 'paid', to_char(pl.recorded_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), pl.recorded_at,
       1, 1, COALESCE(l.approved_amount, 0), ',payout,'
  FROM paid_debits p JOIN payout_lines pl ON pl.id = p.payout_line_id
  JOIN debit_lines l ON l.id = p.debit_line_id
 WHERE pl.recorded_at IS NOT NULL
UNION ALL
SELECT e.claim_id, '', 'ledger_approved', to_char(e.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), e.at, 0, 0, e.amount, ',ledger,'
  FROM ledger_entries e WHERE e.kind = 'approve' AND e.account = 'compensation'
UNION ALL
SELECT e.claim_id, '', 'ledger_paid', to_char(e.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), e.at, 0, 0, -e.amount, ',ledger,'
  FROM ledger_entries e WHERE e.kind = 'pay' AND e.account = 'paid_out'
UNION ALL
SELECT pl.claim_id, '', 'paid_days', '', NULL, 1, 0,
       CAST(pl.paid_on - CAST(c.submitted_at AT TIME ZONE 'Asia/Tokyo' AS DATE) AS BIGINT), ',claim,payout,'
  FROM payout_lines pl JOIN claims c ON c.id = pl.claim_id
 WHERE pl.result = 'paid'
UNION ALL
SELECT pl.claim_id, l.bank_code, 'paid_days', '', NULL, 1, 0,
       CAST(pl.paid_on - CAST(c.submitted_at AT TIME ZONE 'Asia/Tokyo' AS DATE) AS BIGINT), ',claim,payout,'
  FROM payout_lines pl JOIN claims c ON c.id = pl.claim_id JOIN debit_lines l ON l.claim_id = pl.claim_id
 WHERE pl.result = 'paid'
 GROUP BY pl.claim_id, pl.id, c.id, l.bank_code;


-- Before a change: the claim's figures that `part` feeds (see
-- claim_figures.parts; 'all' for every one) as they were, once per statement
-- (a row of its own marks the claim touched). The claim's row is locked
-- first, so that two transactions changing one claim take turns: each
-- keeps the difference it made, not the other's.
CREATE FUNCTION figures_before(claim UUID, part TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM figures_paused)
       OR EXISTS (SELECT 1 FROM figures_pending WHERE claim_id = claim) THEN
        RETURN;
    END IF;
    PERFORM 1 FROM claims WHERE id = claim FOR NO KEY UPDATE;
    INSERT INTO figures_pending (claim_id, bank_code, metric, day, n, lines, amount)
    SELECT claim, '', '', '', 0, 0, 0
    UNION ALL
    SELECT claim, bank_code, metric, day, -SUM(n), -SUM(lines), -SUM(amount)
      FROM claim_figures WHERE claim_id = claim AND (part = 'all' OR strpos(parts, ',' || part || ',') > 0)
     GROUP BY bank_code, metric, day;
END
$$;

-- After it: the difference, kept (once: the first call takes the pending rows).
CREATE FUNCTION figures_after(claim UUID, part TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM figures_pending WHERE claim_id = claim) THEN
        RETURN;
    END IF;
    INSERT INTO kept_figures (bank_code, metric, day, n, lines, amount)
    SELECT bank_code, metric, day, SUM(n), SUM(lines), SUM(amount)
      FROM (SELECT bank_code, metric, day, n, lines, amount FROM figures_pending
             WHERE claim_id = claim AND metric <> ''
            UNION ALL
            SELECT bank_code, metric, day, n, lines, amount FROM claim_figures
             WHERE claim_id = claim AND (part = 'all' OR strpos(parts, ',' || part || ',') > 0)) t
     GROUP BY bank_code, metric, day
    HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0;
    DELETE FROM figures_pending WHERE claim_id = claim;
END
$$;

CREATE FUNCTION figures_touch_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'claims' THEN
        IF TG_OP <> 'INSERT' THEN PERFORM figures_before(OLD.id, 'claim'); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM figures_before(NEW.id, 'claim'); END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN PERFORM figures_before(OLD.claim_id, TG_ARGV[0]); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM figures_before(NEW.claim_id, TG_ARGV[0]); END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION figures_touch_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'claims' THEN
        IF TG_OP <> 'INSERT' THEN PERFORM figures_after(OLD.id, 'claim'); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM figures_after(NEW.id, 'claim'); END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN PERFORM figures_after(OLD.claim_id, TG_ARGV[0]); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM figures_after(NEW.claim_id, TG_ARGV[0]); END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Every change of a row the view reads touches its claim.
CREATE TRIGGER figures_b BEFORE INSERT OR DELETE OR UPDATE OF state, sla_start, submitted_at ON claims
    FOR EACH ROW EXECUTE FUNCTION figures_touch_before('claim');
CREATE TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF state, sla_start, submitted_at ON claims
    FOR EACH ROW EXECUTE FUNCTION figures_touch_after('claim');
CREATE TRIGGER figures_b BEFORE INSERT OR DELETE OR UPDATE OF claim_id, bank_code, amount, approved_amount ON debit_lines
    FOR EACH ROW EXECUTE FUNCTION figures_touch_before('all');
CREATE TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF claim_id, bank_code, amount, approved_amount ON debit_lines
    FOR EACH ROW EXECUTE FUNCTION figures_touch_after('all');
CREATE TRIGGER figures_b BEFORE INSERT OR DELETE OR UPDATE ON line_answers
    FOR EACH ROW EXECUTE FUNCTION figures_touch_before('confirmed');
CREATE TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE ON line_answers
    FOR EACH ROW EXECUTE FUNCTION figures_touch_after('confirmed');
CREATE TRIGGER figures_b BEFORE INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind IN ('approve', 'pay')) EXECUTE FUNCTION figures_touch_before('ledger');
CREATE TRIGGER figures_a AFTER INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind IN ('approve', 'pay')) EXECUTE FUNCTION figures_touch_after('ledger');
CREATE TRIGGER figures_b BEFORE INSERT ON claim_events
    FOR EACH ROW WHEN (NEW.to_state IN ('approved', 'rejected')) EXECUTE FUNCTION figures_touch_before('decided');
CREATE TRIGGER figures_a AFTER INSERT ON claim_events
    FOR EACH ROW WHEN (NEW.to_state IN ('approved', 'rejected')) EXECUTE FUNCTION figures_touch_after('decided');
CREATE TRIGGER figures_b BEFORE INSERT OR DELETE OR UPDATE OF claim_id, result, paid_on, recorded_at ON payout_lines
    FOR EACH ROW EXECUTE FUNCTION figures_touch_before('payout');
CREATE TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF claim_id, result, paid_on, recorded_at ON payout_lines
    FOR EACH ROW EXECUTE FUNCTION figures_touch_after('payout');
CREATE TRIGGER figures_b BEFORE INSERT OR DELETE ON paid_debits
    FOR EACH ROW EXECUTE FUNCTION figures_touch_before('payout');
CREATE TRIGGER figures_a AFTER INSERT OR DELETE ON paid_debits
    FOR EACH ROW EXECUTE FUNCTION figures_touch_after('payout');

-- The figures of the claims already here.
INSERT INTO kept_figures (bank_code, metric, day, n, lines, amount)
SELECT bank_code, metric, day, SUM(n), SUM(lines), SUM(amount) FROM claim_figures
 GROUP BY bank_code, metric, day
HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0;

-- Claims sent from each client address on each day in Japan, kept as the
-- claims arrive: the "same address" signal is this count, read in constant
-- time, not a list of every other claim from the address (a mobile
-- carrier's shared address carries thousands of phones). Rows are only
-- appended (+1, -1), never updated: claims from one address do not wait on
-- one row's lock; the periodic compaction folds them (store::figures).
CREATE TABLE address_days (
    submit_ip TEXT NOT NULL,
    day       TEXT NOT NULL,
    n         BIGINT NOT NULL
);
CREATE INDEX address_days_key ON address_days (submit_ip, day);
INSERT INTO address_days (submit_ip, day, n)
SELECT submit_ip, to_char(submitted_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), COUNT(*) FROM claims
 WHERE submit_ip IS NOT NULL GROUP BY 1, 2;
CREATE FUNCTION address_days_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO address_days (submit_ip, day, n) VALUES (NEW.submit_ip, to_char(NEW.submitted_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), 1);
    ELSE
        INSERT INTO address_days (submit_ip, day, n) VALUES (OLD.submit_ip, to_char(OLD.submitted_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD'), -1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER address_days_insert AFTER INSERT ON claims
    FOR EACH ROW WHEN (NEW.submit_ip IS NOT NULL) EXECUTE FUNCTION address_days_count();
CREATE TRIGGER address_days_delete AFTER DELETE ON claims
    FOR EACH ROW WHEN (OLD.submit_ip IS NOT NULL) EXECUTE FUNCTION address_days_count();
