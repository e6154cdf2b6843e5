-- The kept figures of a claim sent, computed once for the whole claim
-- instead of once per inserted row (issue 25: the single writer spent most
-- of a group commit on each claim's triggers: the claim, each of its lines
-- and its costs each took away and added back the claim's figures).
--
-- SQLite's triggers cannot wait for the commit (PostgreSQL's do: its
-- migration 0028), so the transaction that writes a whole claim holds it:
-- `store::figures::hold` takes the claim's figures away (every part) and
-- puts a row here; while it is here the triggers after each change leave
-- the pending rows alone, and `store::figures::release` adds the figures
-- as they are then, once, and removes the row, in the same transaction.
-- The triggers before each change already do nothing while a claim has
-- pending rows.
CREATE TABLE figures_held (claim_id BLOB PRIMARY KEY NOT NULL);

CREATE TRIGGER figures_touch_held BEFORE INSERT ON figures_touch
WHEN NEW.phase = 1 AND EXISTS (SELECT 1 FROM figures_held WHERE claim_id = NEW.claim_id)
BEGIN
    SELECT RAISE(IGNORE);
END;

-- The same trigger after a change as migration 0022's, not run for a held
-- claim (whichever of the two SQLite runs first, a held claim's pending
-- rows stay).
DROP TRIGGER figures_touch_after;
CREATE TRIGGER figures_touch_after BEFORE INSERT ON figures_touch
WHEN NEW.phase = 1 AND NOT EXISTS (SELECT 1 FROM figures_paused)
 AND NOT EXISTS (SELECT 1 FROM figures_held WHERE claim_id = NEW.claim_id)
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
