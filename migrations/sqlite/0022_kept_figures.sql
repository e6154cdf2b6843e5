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
    claim_id  BLOB NOT NULL,
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
SELECT c.id AS claim_id, '' AS bank_code, 'state:' || c.state AS metric, COALESCE(c.sla_start, '') AS day,
       NULL AS at, 1 AS n, 0 AS lines, 0 AS amount, ',claim,' AS parts
  FROM claims c
UNION ALL
SELECT c.id, l.bank_code, 'state:' || c.state, COALESCE(c.sla_start, ''), NULL, 1, 0, 0, ',claim,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 GROUP BY c.id, l.bank_code
UNION ALL
SELECT c.id, '', 'reported', date(c.submitted_at, '+9 hours'), c.submitted_at, 1, 0, 0, ',claim,'
  FROM claims c
UNION ALL
SELECT c.id, l.bank_code, 'reported', date(c.submitted_at, '+9 hours'), c.submitted_at, 1, COUNT(*), SUM(l.amount), ',claim,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 GROUP BY c.id, c.submitted_at, l.bank_code
UNION ALL
SELECT e.claim_id, '', 'decided', date(e.at, '+9 hours'), e.at, 1, 0, 0, ',decided,'
  FROM claim_events e
 WHERE e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
UNION ALL
SELECT e.claim_id, l.bank_code, 'decided', date(e.at, '+9 hours'), e.at, 1, 0, 0, ',decided,'
  FROM claim_events e JOIN debit_lines l ON l.claim_id = e.claim_id
 WHERE e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
 GROUP BY e.claim_id, e.id, e.at, l.bank_code
UNION ALL
SELECT a.claim_id, a.bank_code, 'confirmed', date(a.at, '+9 hours'), a.at,
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
SELECT f.claim_id, l.bank_code, 'approved', date(f.at, '+9 hours'), f.at,
       1, COUNT(*), SUM(COALESCE(l.approved_amount, 0)), ',ledger,'
  FROM ledger_entries f JOIN debit_lines l ON l.claim_id = f.claim_id
 WHERE f.kind = 'approve'
   AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                    WHERE e.claim_id = f.claim_id AND e.kind = 'approve'
                      AND (e.at < f.at OR (e.at = f.at AND e.id < f.id)))
 GROUP BY f.claim_id, f.id, f.at, l.bank_code
UNION ALL
SELECT p.claim_id, l.bank_code, 'paid', date(pl.recorded_at, '+9 hours'), pl.recorded_at,
       1, 1, COALESCE(l.approved_amount, 0), ',payout,'
  FROM paid_debits p JOIN payout_lines pl ON pl.id = p.payout_line_id
  JOIN debit_lines l ON l.id = p.debit_line_id
 WHERE pl.recorded_at IS NOT NULL
UNION ALL
SELECT e.claim_id, '', 'ledger_approved', date(e.at, '+9 hours'), e.at, 0, 0, e.amount, ',ledger,'
  FROM ledger_entries e WHERE e.kind = 'approve' AND e.account = 'compensation'
UNION ALL
SELECT e.claim_id, '', 'ledger_paid', date(e.at, '+9 hours'), e.at, 0, 0, -e.amount, ',ledger,'
  FROM ledger_entries e WHERE e.kind = 'pay' AND e.account = 'paid_out'
UNION ALL
SELECT pl.claim_id, '', 'paid_days', '', NULL, 1, 0,
       CAST(julianday(pl.paid_on) - julianday(date(c.submitted_at, '+9 hours')) AS INTEGER), ',claim,payout,'
  FROM payout_lines pl JOIN claims c ON c.id = pl.claim_id
 WHERE pl.result = 'paid'
UNION ALL
SELECT pl.claim_id, l.bank_code, 'paid_days', '', NULL, 1, 0,
       CAST(julianday(pl.paid_on) - julianday(date(c.submitted_at, '+9 hours')) AS INTEGER), ',claim,payout,'
  FROM payout_lines pl JOIN claims c ON c.id = pl.claim_id JOIN debit_lines l ON l.claim_id = pl.claim_id
 WHERE pl.result = 'paid'
 GROUP BY pl.claim_id, pl.id, l.bank_code;

-- Touching a claim: phase 0 before a change (its figures as they were, the
-- first time in the change), phase 1 after it (the difference kept), of
-- the figures the changed table feeds (`part`: each arm of the view lists
-- the parts it reads; 'all' for debit lines, which every arm reads). The
-- row itself is never stored.
CREATE TABLE figures_touch (claim_id BLOB NOT NULL, phase INTEGER NOT NULL, part TEXT NOT NULL);

CREATE TRIGGER figures_touch_before BEFORE INSERT ON figures_touch
WHEN NEW.phase = 0 AND NOT EXISTS (SELECT 1 FROM figures_paused)
BEGIN
    INSERT INTO figures_pending (claim_id, bank_code, metric, day, n, lines, amount)
    SELECT NEW.claim_id, '', '', '', 0, 0, 0
     WHERE NOT EXISTS (SELECT 1 FROM figures_pending WHERE claim_id = NEW.claim_id)
    UNION ALL
    SELECT NEW.claim_id, bank_code, metric, day, -SUM(n), -SUM(lines), -SUM(amount)
      FROM claim_figures WHERE claim_id = NEW.claim_id
       AND (NEW.part = 'all' OR instr(parts, ',' || NEW.part || ',') > 0)
       AND NOT EXISTS (SELECT 1 FROM figures_pending WHERE claim_id = NEW.claim_id)
     GROUP BY bank_code, metric, day;
    SELECT RAISE(IGNORE);
END;

CREATE TRIGGER figures_touch_after BEFORE INSERT ON figures_touch
WHEN NEW.phase = 1 AND NOT EXISTS (SELECT 1 FROM figures_paused)
BEGIN
    INSERT INTO kept_figures (bank_code, metric, day, n, lines, amount)
    SELECT bank_code, metric, day, SUM(n), SUM(lines), SUM(amount)
      FROM (SELECT bank_code, metric, day, n, lines, amount FROM figures_pending
             WHERE claim_id = NEW.claim_id AND metric <> ''
            UNION ALL
            SELECT bank_code, metric, day, n, lines, amount FROM claim_figures
             WHERE claim_id = NEW.claim_id
               AND (NEW.part = 'all' OR instr(parts, ',' || NEW.part || ',') > 0)
               AND EXISTS (SELECT 1 FROM figures_pending WHERE claim_id = NEW.claim_id))
     GROUP BY bank_code, metric, day
    HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0;
    DELETE FROM figures_pending WHERE claim_id = NEW.claim_id;
    SELECT RAISE(IGNORE);
END;

CREATE TRIGGER figures_touch_paused BEFORE INSERT ON figures_touch
WHEN EXISTS (SELECT 1 FROM figures_paused)
BEGIN
    SELECT RAISE(IGNORE);
END;

-- Every change of a row the view reads touches its claim.
CREATE TRIGGER figures_claims_insert_b BEFORE INSERT ON claims
BEGIN INSERT INTO figures_touch VALUES (NEW.id, 0, 'claim'); END;
CREATE TRIGGER figures_claims_insert_a AFTER INSERT ON claims
BEGIN INSERT INTO figures_touch VALUES (NEW.id, 1, 'claim'); END;
CREATE TRIGGER figures_claims_update_b BEFORE UPDATE OF state, sla_start, submitted_at ON claims
BEGIN INSERT INTO figures_touch VALUES (OLD.id, 0, 'claim'); END;
CREATE TRIGGER figures_claims_update_a AFTER UPDATE OF state, sla_start, submitted_at ON claims
BEGIN INSERT INTO figures_touch VALUES (NEW.id, 1, 'claim'); END;
CREATE TRIGGER figures_claims_delete_b BEFORE DELETE ON claims
BEGIN INSERT INTO figures_touch VALUES (OLD.id, 0, 'claim'); END;
CREATE TRIGGER figures_claims_delete_a AFTER DELETE ON claims
BEGIN INSERT INTO figures_touch VALUES (OLD.id, 1, 'claim'); END;

CREATE TRIGGER figures_lines_insert_b BEFORE INSERT ON debit_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'all'); END;
CREATE TRIGGER figures_lines_insert_a AFTER INSERT ON debit_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'all'); END;
CREATE TRIGGER figures_lines_update_b BEFORE UPDATE OF claim_id, bank_code, amount, approved_amount ON debit_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'all'); INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'all'); END;
CREATE TRIGGER figures_lines_update_a AFTER UPDATE OF claim_id, bank_code, amount, approved_amount ON debit_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'all'); INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'all'); END;
CREATE TRIGGER figures_lines_delete_b BEFORE DELETE ON debit_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'all'); END;
CREATE TRIGGER figures_lines_delete_a AFTER DELETE ON debit_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'all'); END;

CREATE TRIGGER figures_answers_insert_b BEFORE INSERT ON line_answers
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'confirmed'); END;
CREATE TRIGGER figures_answers_insert_a AFTER INSERT ON line_answers
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'confirmed'); END;
CREATE TRIGGER figures_answers_update_b BEFORE UPDATE ON line_answers
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'confirmed'); INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'confirmed'); END;
CREATE TRIGGER figures_answers_update_a AFTER UPDATE ON line_answers
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'confirmed'); INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'confirmed'); END;
CREATE TRIGGER figures_answers_delete_b BEFORE DELETE ON line_answers
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'confirmed'); END;
CREATE TRIGGER figures_answers_delete_a AFTER DELETE ON line_answers
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'confirmed'); END;

CREATE TRIGGER figures_ledger_insert_b BEFORE INSERT ON ledger_entries
WHEN NEW.kind IN ('approve', 'pay')
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'ledger'); END;
CREATE TRIGGER figures_ledger_insert_a AFTER INSERT ON ledger_entries
WHEN NEW.kind IN ('approve', 'pay')
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'ledger'); END;

CREATE TRIGGER figures_events_insert_b BEFORE INSERT ON claim_events
WHEN NEW.to_state IN ('approved', 'rejected')
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'decided'); END;
CREATE TRIGGER figures_events_insert_a AFTER INSERT ON claim_events
WHEN NEW.to_state IN ('approved', 'rejected')
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'decided'); END;

CREATE TRIGGER figures_payout_lines_insert_b BEFORE INSERT ON payout_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'payout'); END;
CREATE TRIGGER figures_payout_lines_insert_a AFTER INSERT ON payout_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'payout'); END;
CREATE TRIGGER figures_payout_lines_update_b BEFORE UPDATE OF claim_id, result, paid_on, recorded_at ON payout_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'payout'); INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'payout'); END;
CREATE TRIGGER figures_payout_lines_update_a AFTER UPDATE OF claim_id, result, paid_on, recorded_at ON payout_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'payout'); INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'payout'); END;
CREATE TRIGGER figures_payout_lines_delete_b BEFORE DELETE ON payout_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'payout'); END;
CREATE TRIGGER figures_payout_lines_delete_a AFTER DELETE ON payout_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'payout'); END;

CREATE TRIGGER figures_paid_insert_b BEFORE INSERT ON paid_debits
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'payout'); END;
CREATE TRIGGER figures_paid_insert_a AFTER INSERT ON paid_debits
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'payout'); END;
CREATE TRIGGER figures_paid_delete_b BEFORE DELETE ON paid_debits
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'payout'); END;
CREATE TRIGGER figures_paid_delete_a AFTER DELETE ON paid_debits
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'payout'); END;

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
SELECT submit_ip, date(submitted_at, '+9 hours'), COUNT(*) FROM claims
 WHERE submit_ip IS NOT NULL GROUP BY 1, 2;
CREATE TRIGGER address_days_insert AFTER INSERT ON claims
WHEN NEW.submit_ip IS NOT NULL
BEGIN
    INSERT INTO address_days (submit_ip, day, n) VALUES (NEW.submit_ip, date(NEW.submitted_at, '+9 hours'), 1);
END;
CREATE TRIGGER address_days_delete AFTER DELETE ON claims
WHEN OLD.submit_ip IS NOT NULL
BEGIN
    INSERT INTO address_days (submit_ip, day, n) VALUES (OLD.submit_ip, date(OLD.submitted_at, '+9 hours'), -1);
END;
