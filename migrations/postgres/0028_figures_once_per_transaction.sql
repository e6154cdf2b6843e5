-- The kept figures, computed once per claim and transaction instead of once
-- per changed row (issue 25: a bank's import of 100,000 rows took 138 s and
-- claims sent by 16 clients at once were refused, each row running the
-- claim's figures twice).
--
-- Before the first change to a claim in a transaction, its figures as they
-- were (every part) are taken away into figures_pending, under the claim's
-- row lock; later changes to the same claim in the same transaction find
-- the pending rows and do nothing. The figures as they are then are added
-- once, when the transaction commits: the triggers after a change are
-- deferred constraint triggers, and the first of them for a claim takes its
-- pending rows (the others find none). A claim's figures are so read twice
-- per transaction however many of its rows it changes (a claim sent with
-- ten lines; a bank's answers to every line of a claim).
--
-- The functions keep their arguments (the part a table feeds): the same
-- triggers call them; both releases of a rolling deploy run these triggers.
CREATE OR REPLACE FUNCTION figures_before(claim UUID, part TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM figures_paused)
       OR EXISTS (SELECT 1 FROM figures_pending WHERE claim_id = claim) THEN
        RETURN;
    END IF;
    PERFORM 1 FROM claims WHERE id = claim FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        -- The claim's own insert: no row can name a claim not yet
        -- written (each one's foreign key), so it has no figures yet.
        INSERT INTO figures_pending (claim_id, bank_code, metric, day, n, lines, amount)
        VALUES (claim, '', '', '', 0, 0, 0);
        RETURN;
    END IF;
    INSERT INTO figures_pending (claim_id, bank_code, metric, day, n, lines, amount)
    SELECT claim, '', '', '', 0, 0, 0
    UNION ALL
    SELECT claim, bank_code, metric, day, -SUM(n), -SUM(lines), -SUM(amount)
      FROM claim_figures WHERE claim_id = claim
     GROUP BY bank_code, metric, day;
END
$$;

CREATE OR REPLACE FUNCTION figures_after(claim UUID, part TEXT) RETURNS void LANGUAGE plpgsql AS $$
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
             WHERE claim_id = claim) t
     GROUP BY bank_code, metric, day
    HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0;
    DELETE FROM figures_pending WHERE claim_id = claim;
END
$$;

-- One plan for each statement of the two functions, kept for the
-- connection: the view's 25 arms took longer to plan (2.6 ms) than to run
-- for one claim.
ALTER FUNCTION figures_before(UUID, TEXT) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION figures_after(UUID, TEXT) SET plan_cache_mode = force_generic_plan;

-- The triggers after a change, deferred to the commit.
DROP TRIGGER figures_a ON claims;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF state, sla_start, submitted_at ON claims
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('claim');
DROP TRIGGER figures_a ON debit_lines;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF claim_id, bank_code, amount, approved_amount ON debit_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('all');
DROP TRIGGER figures_a ON line_answers;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE ON line_answers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('confirmed');
DROP TRIGGER figures_a ON ledger_entries;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind IN ('approve', 'pay')) EXECUTE FUNCTION figures_touch_after('ledger');
DROP TRIGGER figures_a ON claim_events;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT ON claim_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.from_state <> 'draft' AND NEW.from_state <> NEW.to_state) EXECUTE FUNCTION figures_touch_after('events');
DROP TRIGGER figures_a ON payout_lines;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF claim_id, result, paid_on, recorded_at ON payout_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('payout');
DROP TRIGGER figures_a ON paid_debits;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE ON paid_debits
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('payout');
DROP TRIGGER figures_a ON call_lines;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF claim_id, amount, approved_amount ON call_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('costs');
DROP TRIGGER figures_a ON travel_lines;
CREATE CONSTRAINT TRIGGER figures_a AFTER INSERT OR DELETE OR UPDATE OF claim_id, amount, approved_amount ON travel_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION figures_touch_after('costs');
