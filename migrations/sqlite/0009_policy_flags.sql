-- The policy as data, stored flags, the submitter's address, the SLA clock's
-- start (SQLite). Keep in step with ../postgres/0009_policy_flags.sql.

-- Every version of the compensation policy. A version is never changed: an
-- admin's edit writes the next one. Amounts in yen.
CREATE TABLE policies (
    version              BIGINT PRIMARY KEY,
    per_charge_limit     BIGINT NOT NULL CHECK (per_charge_limit > 0),
    monthly_wallet_limit BIGINT NOT NULL CHECK (monthly_wallet_limit > 0),
    window_days          BIGINT NOT NULL CHECK (window_days > 0),
    call_cap_per_line    BIGINT NOT NULL CHECK (call_cap_per_line >= 0),
    call_cap_per_claim   BIGINT NOT NULL CHECK (call_cap_per_claim >= 0),
    travel_cap_per_line  BIGINT NOT NULL CHECK (travel_cap_per_line >= 0),
    travel_cap_per_claim BIGINT NOT NULL CHECK (travel_cap_per_claim >= 0),
    receipt_above        BIGINT NOT NULL CHECK (receipt_above >= 0),
    deduct_compensated   BOOLEAN NOT NULL,
    note                 TEXT NOT NULL,
    created_by           BLOB REFERENCES users (id),
    created_at           TEXT NOT NULL
);
INSERT INTO policies VALUES (1, 100000, 300000, 90, 3000, 20000, 10000, 50000, 5000, 1,
                             'The incident''s compensation scheme', NULL, '2020-09-01T00:00:00+00:00');
CREATE TRIGGER policies_no_update BEFORE UPDATE ON policies
BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END;
CREATE TRIGGER policies_no_delete BEFORE DELETE ON policies
BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END;

-- Which cases were assessed under which version (the admin's page counts them).
CREATE INDEX claims_policy_version ON claims (policy_version);

-- The kinds of automatic flag a case raises now (the queue filters on
-- them). Derived data: a change that may alter them raises flags_dirty in
-- its own transaction; the flags are computed again right after it (or by
-- the background sweep, should the process stop in between), and
-- flags_dirty goes back to 0 only if nothing raised it meanwhile.
CREATE TABLE claim_flags (
    claim_id BLOB NOT NULL REFERENCES claims (id),
    kind     TEXT NOT NULL,
    PRIMARY KEY (claim_id, kind)
);
CREATE INDEX claim_flags_kind ON claim_flags (kind, claim_id);
ALTER TABLE claims ADD COLUMN flags_dirty BIGINT NOT NULL DEFAULT 1;
CREATE INDEX claims_flags_dirty ON claims (flags_dirty) WHERE flags_dirty > 0;

-- The address a claim was sent from (several claims from one address in a
-- day raise a flag).
ALTER TABLE claims ADD COLUMN submit_ip TEXT;

-- The day the SLA clock counts from: the day the claim was sent, moved on by
-- the business days it waited for the claimant. Sorting by it is sorting by
-- the clock.
ALTER TABLE claims ADD COLUMN sla_start TEXT;
UPDATE claims SET sla_start = date(submitted_at, '+9 hours') WHERE submitted_at IS NOT NULL;
CREATE INDEX claims_state_sla ON claims (state, sla_start, seq);
