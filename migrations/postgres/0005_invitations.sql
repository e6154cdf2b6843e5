-- Invitations to claim (PostgreSQL). Keep in step with ../sqlite/0005_invitations.sql.

-- A letter to the holder of an account a bank reported debits on, with a
-- one-time claim code (only its hash is kept). Redeeming it starts a claim
-- that already holds those debits.
CREATE TABLE invitations (
    id             UUID PRIMARY KEY,
    code_hash      TEXT NOT NULL,
    bank_code      TEXT NOT NULL REFERENCES banks (code),
    branch_code    TEXT NOT NULL,
    account_type   TEXT NOT NULL CHECK (account_type IN ('ordinary', 'current', 'savings')),
    account_number TEXT NOT NULL,
    holder_kana    TEXT NOT NULL,
    created_by     UUID NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    used_at        TIMESTAMPTZ,
    used_by        UUID REFERENCES users (id),
    draft_id       UUID
);
CREATE UNIQUE INDEX invitations_code ON invitations (code_hash);

ALTER TABLE bank_debits ADD COLUMN invitation_id UUID REFERENCES invitations (id);
