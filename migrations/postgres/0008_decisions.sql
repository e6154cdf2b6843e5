-- Assessment and approval (PostgreSQL). Keep in step with ../sqlite/0008_decisions.sql.

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
    claim_id UUID NOT NULL REFERENCES claims (id),
    flag_key TEXT NOT NULL,
    note     TEXT NOT NULL,
    actor_id UUID NOT NULL REFERENCES users (id),
    at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (claim_id, flag_key)
);

-- Internal notes on a case: staff only, never changed or deleted.
CREATE TABLE case_notes (
    id        UUID PRIMARY KEY,
    claim_id  UUID NOT NULL REFERENCES claims (id),
    author_id UUID NOT NULL REFERENCES users (id),
    body      TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_notes_claim ON case_notes (claim_id, at);
CREATE FUNCTION case_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_notes are append-only';
END;
$$;
CREATE TRIGGER case_notes_no_change BEFORE UPDATE OR DELETE ON case_notes
    FOR EACH ROW EXECUTE FUNCTION case_notes_append_only();

-- Who works on a case (a reviewer takes it, releases it; an admin reassigns).
ALTER TABLE claims ADD COLUMN assignee_id UUID REFERENCES users (id);
CREATE INDEX claims_assignee ON claims (assignee_id);

-- A request unanswered for 14 days is recalled to the claimant once; after
-- 30 days the reviewer who asked is told.
ALTER TABLE info_requests ADD COLUMN reminded_at TIMESTAMPTZ;
ALTER TABLE info_requests ADD COLUMN escalated_at TIMESTAMPTZ;
