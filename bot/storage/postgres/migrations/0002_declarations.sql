-- Declaration drafts and reference numbers (issue 3).

-- The declaration a participant is filling in: one at a time, kept across /stop and restarts,
-- purged after the policy's draft_retention_days. `nonce` is spent by the one submit it allows.
CREATE TABLE declaration_drafts (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (person_id) ON DELETE CASCADE,
    period         TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    step           TEXT NOT NULL,
    data           TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX declaration_drafts_updated ON declaration_drafts (updated_at);

-- The last sequence number handed out per period, for references like PTO-2026-11-0042.
CREATE TABLE declaration_sequences (
    period TEXT PRIMARY KEY,
    last   INTEGER NOT NULL
);

CREATE INDEX declarations_participant_period ON declarations (participant_id, period, version);
