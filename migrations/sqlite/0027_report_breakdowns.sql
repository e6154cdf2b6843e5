-- The regulator's report, three more figures kept beside the others
-- (issue 27): the cases in each state as of the report's moment (metrics
-- 'state_at:<state>', from the case's history), call and travel costs
-- claimed and approved per bank ('calls', 'travel', 'calls_approved',
-- 'travel_approved'), and decisions counted once per case, on its first
-- ('decided' was each decision event: a case rejected twice counted two).
--
-- The view is replaced whole: every column and every earlier metric stays
-- (the previous release reads them as before; it does not read the new
-- ones). Changes of state now touch the figures for every change, not only
-- decisions, and call and travel lines touch them too.
DROP VIEW claim_figures;
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
-- Decided: a case once, on its first decision (approval or rejection; a
-- case rejected, reopened and decided again is not counted twice).
SELECT e.claim_id, '', 'decided', date(e.at, '+9 hours'), e.at, 1, 0, 0, ',events,'
  FROM claim_events e
 WHERE e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
   AND NOT EXISTS (SELECT 1 FROM claim_events d
                    WHERE d.claim_id = e.claim_id AND d.to_state IN ('approved', 'rejected') AND d.from_state <> d.to_state
                      AND (d.at < e.at OR (d.at = e.at AND d.id < e.id)))
UNION ALL
SELECT e.claim_id, l.bank_code, 'decided', date(e.at, '+9 hours'), e.at, 1, 0, 0, ',events,'
  FROM claim_events e JOIN debit_lines l ON l.claim_id = e.claim_id
 WHERE e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
   AND NOT EXISTS (SELECT 1 FROM claim_events d
                    WHERE d.claim_id = e.claim_id AND d.to_state IN ('approved', 'rejected') AND d.from_state <> d.to_state
                      AND (d.at < e.at OR (d.at = e.at AND d.id < e.id)))
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
 GROUP BY pl.claim_id, pl.id, l.bank_code
UNION ALL
-- A case's state at any moment: +1 in 'submitted' when it was sent, then
-- for each change of state +1 in the state it entered and -1 in the one it
-- left, dated by the change. The sum up to a moment is the cases in each
-- state at that moment.
SELECT c.id, '', 'state_at:submitted', date(c.submitted_at, '+9 hours'), c.submitted_at, 1, 0, 0, ',claim,'
  FROM claims c
UNION ALL
SELECT c.id, l.bank_code, 'state_at:submitted', date(c.submitted_at, '+9 hours'), c.submitted_at, 1, 0, 0, ',claim,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 GROUP BY c.id, c.submitted_at, l.bank_code
UNION ALL
SELECT e.claim_id, '', 'state_at:' || e.to_state, date(e.at, '+9 hours'), e.at, 1, 0, 0, ',events,'
  FROM claim_events e WHERE e.from_state <> 'draft' AND e.from_state <> e.to_state
UNION ALL
SELECT e.claim_id, '', 'state_at:' || e.from_state, date(e.at, '+9 hours'), e.at, -1, 0, 0, ',events,'
  FROM claim_events e WHERE e.from_state <> 'draft' AND e.from_state <> e.to_state
UNION ALL
SELECT e.claim_id, l.bank_code, 'state_at:' || e.to_state, date(e.at, '+9 hours'), e.at, 1, 0, 0, ',events,'
  FROM claim_events e JOIN debit_lines l ON l.claim_id = e.claim_id
 WHERE e.from_state <> 'draft' AND e.from_state <> e.to_state
 GROUP BY e.claim_id, e.id, e.at, e.to_state, l.bank_code
UNION ALL
SELECT e.claim_id, l.bank_code, 'state_at:' || e.from_state, date(e.at, '+9 hours'), e.at, -1, 0, 0, ',events,'
  FROM claim_events e JOIN debit_lines l ON l.claim_id = e.claim_id
 WHERE e.from_state <> 'draft' AND e.from_state <> e.to_state
 GROUP BY e.claim_id, e.id, e.at, e.from_state, l.bank_code
UNION ALL
-- Call and travel costs claimed (dated when the case was sent) and
-- approved (dated by its first approval), in the whole operation and under
-- every bank the case names (a case naming two banks is under both).
SELECT k.claim_id, '', 'calls', date(c.submitted_at, '+9 hours'), c.submitted_at, 1, COUNT(*), SUM(k.amount), ',claim,costs,'
  FROM call_lines k JOIN claims c ON c.id = k.claim_id
 GROUP BY k.claim_id, c.submitted_at
UNION ALL
SELECT c.id, l.bank_code, 'calls', date(c.submitted_at, '+9 hours'), c.submitted_at, 1,
       (SELECT COUNT(*) FROM call_lines k WHERE k.claim_id = c.id),
       (SELECT SUM(k.amount) FROM call_lines k WHERE k.claim_id = c.id), ',claim,costs,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 WHERE EXISTS (SELECT 1 FROM call_lines k WHERE k.claim_id = c.id)
 GROUP BY c.id, c.submitted_at, l.bank_code
UNION ALL
SELECT k.claim_id, '', 'travel', date(c.submitted_at, '+9 hours'), c.submitted_at, 1, COUNT(*), SUM(k.amount), ',claim,costs,'
  FROM travel_lines k JOIN claims c ON c.id = k.claim_id
 GROUP BY k.claim_id, c.submitted_at
UNION ALL
SELECT c.id, l.bank_code, 'travel', date(c.submitted_at, '+9 hours'), c.submitted_at, 1,
       (SELECT COUNT(*) FROM travel_lines k WHERE k.claim_id = c.id),
       (SELECT SUM(k.amount) FROM travel_lines k WHERE k.claim_id = c.id), ',claim,costs,'
  FROM claims c JOIN debit_lines l ON l.claim_id = c.id
 WHERE EXISTS (SELECT 1 FROM travel_lines k WHERE k.claim_id = c.id)
 GROUP BY c.id, c.submitted_at, l.bank_code
UNION ALL
SELECT f.claim_id, '', 'calls_approved', date(f.at, '+9 hours'), f.at, 1,
       (SELECT COUNT(*) FROM call_lines k WHERE k.claim_id = f.claim_id),
       (SELECT COALESCE(SUM(COALESCE(k.approved_amount, 0)), 0) FROM call_lines k WHERE k.claim_id = f.claim_id), ',ledger,costs,'
  FROM ledger_entries f
 WHERE f.kind = 'approve'
   AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                    WHERE e.claim_id = f.claim_id AND e.kind = 'approve'
                      AND (e.at < f.at OR (e.at = f.at AND e.id < f.id)))
   AND EXISTS (SELECT 1 FROM call_lines k WHERE k.claim_id = f.claim_id)
UNION ALL
SELECT f.claim_id, l.bank_code, 'calls_approved', date(f.at, '+9 hours'), f.at, 1,
       (SELECT COUNT(*) FROM call_lines k WHERE k.claim_id = f.claim_id),
       (SELECT COALESCE(SUM(COALESCE(k.approved_amount, 0)), 0) FROM call_lines k WHERE k.claim_id = f.claim_id), ',ledger,costs,'
  FROM ledger_entries f JOIN debit_lines l ON l.claim_id = f.claim_id
 WHERE f.kind = 'approve'
   AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                    WHERE e.claim_id = f.claim_id AND e.kind = 'approve'
                      AND (e.at < f.at OR (e.at = f.at AND e.id < f.id)))
   AND EXISTS (SELECT 1 FROM call_lines k WHERE k.claim_id = f.claim_id)
 GROUP BY f.claim_id, f.id, f.at, l.bank_code
UNION ALL
SELECT f.claim_id, '', 'travel_approved', date(f.at, '+9 hours'), f.at, 1,
       (SELECT COUNT(*) FROM travel_lines k WHERE k.claim_id = f.claim_id),
       (SELECT COALESCE(SUM(COALESCE(k.approved_amount, 0)), 0) FROM travel_lines k WHERE k.claim_id = f.claim_id), ',ledger,costs,'
  FROM ledger_entries f
 WHERE f.kind = 'approve'
   AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                    WHERE e.claim_id = f.claim_id AND e.kind = 'approve'
                      AND (e.at < f.at OR (e.at = f.at AND e.id < f.id)))
   AND EXISTS (SELECT 1 FROM travel_lines k WHERE k.claim_id = f.claim_id)
UNION ALL
SELECT f.claim_id, l.bank_code, 'travel_approved', date(f.at, '+9 hours'), f.at, 1,
       (SELECT COUNT(*) FROM travel_lines k WHERE k.claim_id = f.claim_id),
       (SELECT COALESCE(SUM(COALESCE(k.approved_amount, 0)), 0) FROM travel_lines k WHERE k.claim_id = f.claim_id), ',ledger,costs,'
  FROM ledger_entries f JOIN debit_lines l ON l.claim_id = f.claim_id
 WHERE f.kind = 'approve'
   AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                    WHERE e.claim_id = f.claim_id AND e.kind = 'approve'
                      AND (e.at < f.at OR (e.at = f.at AND e.id < f.id)))
   AND EXISTS (SELECT 1 FROM travel_lines k WHERE k.claim_id = f.claim_id)
 GROUP BY f.claim_id, f.id, f.at, l.bank_code;

DROP TRIGGER figures_events_insert_b;
DROP TRIGGER figures_events_insert_a;
CREATE TRIGGER figures_events_insert_b BEFORE INSERT ON claim_events
WHEN NEW.from_state <> 'draft' AND NEW.from_state <> NEW.to_state
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'events'); END;
CREATE TRIGGER figures_events_insert_a AFTER INSERT ON claim_events
WHEN NEW.from_state <> 'draft' AND NEW.from_state <> NEW.to_state
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'events'); END;

CREATE TRIGGER figures_calls_insert_b BEFORE INSERT ON call_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'costs'); END;
CREATE TRIGGER figures_calls_insert_a AFTER INSERT ON call_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'costs'); END;
CREATE TRIGGER figures_calls_update_b BEFORE UPDATE OF claim_id, amount, approved_amount ON call_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'costs'); INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'costs'); END;
CREATE TRIGGER figures_calls_update_a AFTER UPDATE OF claim_id, amount, approved_amount ON call_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'costs'); INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'costs'); END;
CREATE TRIGGER figures_calls_delete_b BEFORE DELETE ON call_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'costs'); END;
CREATE TRIGGER figures_calls_delete_a AFTER DELETE ON call_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'costs'); END;

CREATE TRIGGER figures_travel_insert_b BEFORE INSERT ON travel_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'costs'); END;
CREATE TRIGGER figures_travel_insert_a AFTER INSERT ON travel_lines
BEGIN INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'costs'); END;
CREATE TRIGGER figures_travel_update_b BEFORE UPDATE OF claim_id, amount, approved_amount ON travel_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'costs'); INSERT INTO figures_touch VALUES (NEW.claim_id, 0, 'costs'); END;
CREATE TRIGGER figures_travel_update_a AFTER UPDATE OF claim_id, amount, approved_amount ON travel_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'costs'); INSERT INTO figures_touch VALUES (NEW.claim_id, 1, 'costs'); END;
CREATE TRIGGER figures_travel_delete_b BEFORE DELETE ON travel_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 0, 'costs'); END;
CREATE TRIGGER figures_travel_delete_a AFTER DELETE ON travel_lines
BEGIN INSERT INTO figures_touch VALUES (OLD.claim_id, 1, 'costs'); END;

-- The report as of a past moment reads the changes of state of the stretch
-- between the moment and its day's start or end.
CREATE INDEX claim_events_at ON claim_events (at);

-- The figures of the claims already here: the new metrics, and the
-- decisions counted again as first decisions.
DELETE FROM kept_figures WHERE metric = 'decided';
INSERT INTO kept_figures (bank_code, metric, day, n, lines, amount)
SELECT bank_code, metric, day, SUM(n), SUM(lines), SUM(amount) FROM claim_figures
 WHERE metric IN ('decided', 'calls', 'travel', 'calls_approved', 'travel_approved') OR metric LIKE 'state_at:%'
 GROUP BY bank_code, metric, day
HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0;
