-- Assessment and approval (SQLite). Keep in step with ../postgres/0008_decisions.sql.

-- Why an approved amount differs from the claimed one.
ALTER TABLE debit_lines ADD COLUMN approved_note TEXT;
ALTER TABLE call_lines ADD COLUMN approved_note TEXT;
ALTER TABLE travel_lines ADD COLUMN approved_note TEXT;

-- The policy version a case was assessed under.
ALTER TABLE claims ADD COLUMN policy_version BIGINT;

-- An assessment that proposes to reject the claim: the reason (from the
-- list) and the explanation the claimant will read. An approver confirms it.
ALTER TABLE claims ADD COLUMN rejection_reason TEXT;
ALTER TABLE claims ADD COLUMN rejection_note TEXT;

-- A reviewer's acknowledgement of one automatic flag, with a note.
CREATE TABLE flag_acks (
    claim_id BLOB NOT NULL REFERENCES claims (id),
    flag_key TEXT NOT NULL,
    note     TEXT NOT NULL,
    actor_id BLOB NOT NULL REFERENCES users (id),
    at       TEXT NOT NULL,
    PRIMARY KEY (claim_id, flag_key)
);

-- Internal notes on a case: staff only, never changed or deleted.
CREATE TABLE case_notes (
    id        BLOB PRIMARY KEY,
    claim_id  BLOB NOT NULL REFERENCES claims (id),
    author_id BLOB NOT NULL REFERENCES users (id),
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX case_notes_claim ON case_notes (claim_id, at);
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes
BEGIN SELECT RAISE(ABORT, 'case_notes are append-only'); END;
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes
BEGIN SELECT RAISE(ABORT, 'case_notes are append-only'); END;

-- Who works on a case (a reviewer takes it, releases it; an admin reassigns).
ALTER TABLE claims ADD COLUMN assignee_id BLOB REFERENCES users (id);
CREATE INDEX claims_assignee ON claims (assignee_id);

-- A request unanswered for 14 days is recalled to the claimant once; after
-- 30 days the reviewer who asked is told.
ALTER TABLE info_requests ADD COLUMN reminded_at TEXT;
ALTER TABLE info_requests ADD COLUMN escalated_at TEXT;
