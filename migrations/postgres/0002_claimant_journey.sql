-- The claimant's journey (PostgreSQL). Keep in step with ../sqlite/0002_claimant_journey.sql.

-- A claim being written: the answers so far, as one checked document. Its id
-- becomes the claim's id when it is sent.
CREATE TABLE drafts (
    id               UUID PRIMARY KEY,
    claimant_id      UUID NOT NULL REFERENCES users (id),
    answers          TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    reminder_sent_at TIMESTAMPTZ
);
CREATE INDEX drafts_claimant ON drafts (claimant_id);
CREATE INDEX drafts_updated ON drafts (updated_at);

-- The answers as sent (and as changed in reply to a request).
ALTER TABLE claims ADD COLUMN answers TEXT;
-- Changes the claimant is making in reply to a request, until they send the reply.
ALTER TABLE claims ADD COLUMN pending_answers TEXT;
ALTER TABLE claims ADD COLUMN payout_bank_code TEXT;
ALTER TABLE claims ADD COLUMN payout_branch_code TEXT;
ALTER TABLE claims ADD COLUMN payout_account_type TEXT;
ALTER TABLE claims ADD COLUMN payout_account_number TEXT;
ALTER TABLE claims ADD COLUMN payout_holder_kana TEXT;
ALTER TABLE claims ADD COLUMN compensated_amount BIGINT;

ALTER TABLE debit_lines ADD COLUMN wallet_ref TEXT;
ALTER TABLE debit_lines ADD COLUMN confirmed_amount BIGINT CHECK (confirmed_amount >= 0);
ALTER TABLE debit_lines ADD COLUMN approved_amount BIGINT CHECK (approved_amount >= 0);

CREATE TABLE call_lines (
    id              UUID PRIMARY KEY,
    claim_id        UUID NOT NULL REFERENCES claims (id),
    position        BIGINT NOT NULL,
    call_date       DATE NOT NULL,
    callee          TEXT NOT NULL CHECK (callee IN ('bank', 'operator', 'police', 'other')),
    minutes         BIGINT NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    amount          BIGINT NOT NULL CHECK (amount BETWEEN 1 AND 1000000),
    receipt         BOOLEAN NOT NULL,
    approved_amount BIGINT CHECK (approved_amount >= 0)
);
CREATE UNIQUE INDEX call_lines_position ON call_lines (claim_id, position);

CREATE TABLE travel_lines (
    id              UUID PRIMARY KEY,
    claim_id        UUID NOT NULL REFERENCES claims (id),
    position        BIGINT NOT NULL,
    travel_date     DATE NOT NULL,
    from_place      TEXT NOT NULL,
    to_place        TEXT NOT NULL,
    means           TEXT NOT NULL CHECK (means IN ('train', 'bus', 'taxi', 'car', 'other')),
    purpose         TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount BETWEEN 1 AND 1000000),
    approved_amount BIGINT CHECK (approved_amount >= 0)
);
CREATE UNIQUE INDEX travel_lines_position ON travel_lines (claim_id, position);

-- Evidence files. `case_id` is the draft's id, which stays the claim's id.
-- The bytes live in the file store under `stored_name`, never in the web root.
CREATE TABLE evidence (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL,
    owner_id    UUID NOT NULL REFERENCES users (id),
    file_name   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('pdf', 'jpeg', 'png', 'heic')),
    size_bytes  BIGINT NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256      TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    request_id  UUID,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_case ON evidence (case_id, created_at);

-- Which lines (debit, call or travel, by id) a file supports.
CREATE TABLE evidence_links (
    evidence_id UUID NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    line_id     UUID NOT NULL,
    PRIMARY KEY (evidence_id, line_id)
);

-- Staff ask the claimant for more; the claimant answers.
CREATE TABLE info_requests (
    id          UUID PRIMARY KEY,
    claim_id    UUID NOT NULL REFERENCES claims (id),
    asked_by    UUID NOT NULL REFERENCES users (id),
    question    TEXT NOT NULL,
    sections    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    answer      TEXT,
    answered_at TIMESTAMPTZ
);
CREATE INDEX info_requests_claim ON info_requests (claim_id, created_at);
