-- Changes in circumstances (issue 17, the inlichtingenplicht): what a participant reports with
-- /wijziging. A row is a draft while `sent_at` is NULL (one per participant) and fixed once sent,
-- with its reference (WIJZ-YYYY-MM-NNNN). `kind` is a key of the policy's [[changes]] list; the
-- explanation is free text (BSN masked before it gets here); the optional document is one file
-- in the proof folder, typed and hashed like a declaration's receipts. No address is stored.
-- Kept like declarations (retention.declarations_years); an unsent draft like a declaration draft.
CREATE TABLE circumstance_changes (
    id               INTEGER PRIMARY KEY,
    participant_id   INTEGER NOT NULL REFERENCES participants (person_id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    happens_on       TEXT,
    explanation      TEXT,
    document_path    TEXT,
    document_mime    TEXT,
    document_size    INTEGER,
    document_sha256  TEXT,
    document_name    TEXT,
    reference        TEXT UNIQUE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE UNIQUE INDEX circumstance_changes_one_draft
    ON circumstance_changes (participant_id) WHERE sent_at IS NULL;
CREATE INDEX circumstance_changes_participant ON circumstance_changes (participant_id, sent_at);
