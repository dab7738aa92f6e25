-- Foundation schema. Times are UTC ISO-8601 text, money is integer cents, periods are 'YYYY-MM'.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('participant', 'klantmanager', 'coach', 'admin')),
    locale     TEXT NOT NULL DEFAULT 'nl',
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX people_name ON people (name COLLATE NOCASE);

CREATE TABLE channel_identities (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    blocked    INTEGER NOT NULL DEFAULT 0,
    blocked_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX channel_identities_person ON channel_identities (person_id);

CREATE TABLE participants (
    person_id       INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    klantmanager_id INTEGER REFERENCES people (id),
    coach_id        INTEGER REFERENCES people (id),
    start_date      TEXT NOT NULL,
    household       TEXT NOT NULL
                    CHECK (household IN ('alleenstaande', 'alleenstaande_ouder', 'gehuwden')),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'ended'))
);
CREATE INDEX participants_klantmanager ON participants (klantmanager_id);
CREATE INDEX participants_coach ON participants (coach_id);

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT NOT NULL UNIQUE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

-- Wrong invite codes per chat, to slow down guessing.
CREATE TABLE invite_attempts (
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX invite_attempts_chat ON invite_attempts (channel, address, at);

CREATE TABLE conversation_state (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);

CREATE TABLE processed_updates (
    channel      TEXT NOT NULL,
    update_id    TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
) WITHOUT ROWID;

-- Everything the bot says on its own. A row is rendered in the recipient's language when sent.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    dedupe_key  TEXT UNIQUE,
    message_key TEXT NOT NULL,
    context     TEXT NOT NULL DEFAULT '{}',
    buttons     TEXT NOT NULL DEFAULT '[]',
    attachment  TEXT,
    created_at  TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    parked_at   TEXT
);
CREATE INDEX outbox_pending ON outbox (not_before, id) WHERE sent_at IS NULL AND parked_at IS NULL;

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    subject_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);

-- Submitted monthly declarations: immutable; a correction is a new version next to the old one.
CREATE TABLE declarations (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (person_id) ON DELETE CASCADE,
    period         TEXT NOT NULL,
    version        INTEGER NOT NULL,
    reference      TEXT NOT NULL UNIQUE,
    worked         INTEGER NOT NULL,
    revenue_cents  INTEGER NOT NULL CHECK (revenue_cents >= 0),
    costs_cents    INTEGER NOT NULL CHECK (costs_cents >= 0),
    hours          REAL NOT NULL CHECK (hours >= 0),
    data           TEXT NOT NULL DEFAULT '{}',
    flags          TEXT NOT NULL DEFAULT '[]',
    reason         TEXT,
    submitted_at   TEXT NOT NULL,
    UNIQUE (participant_id, period, version)
);

-- Proof files (photos, PDFs); linked to a declaration when it is submitted.
CREATE TABLE proofs (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants (person_id) ON DELETE CASCADE,
    period         TEXT NOT NULL,
    declaration_id INTEGER REFERENCES declarations (id) ON DELETE SET NULL,
    sha256         TEXT NOT NULL,
    path           TEXT NOT NULL,
    mime           TEXT NOT NULL,
    size           INTEGER NOT NULL,
    original_name  TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX proofs_declaration ON proofs (declaration_id);
CREATE INDEX proofs_draft ON proofs (participant_id, period);

-- The klantmanager's work queue.
CREATE TABLE queue_items (
    id              INTEGER PRIMARY KEY,
    klantmanager_id INTEGER NOT NULL REFERENCES people (id),
    participant_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'nieuw'
                    CHECK (state IN ('nieuw', 'in_behandeling', 'afgehandeld', 'correctie_gevraagd')),
    declaration_id  INTEGER REFERENCES declarations (id) ON DELETE SET NULL,
    period          TEXT,
    dedupe_key      TEXT UNIQUE,
    details         TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX queue_items_open ON queue_items (klantmanager_id, state, created_at);
CREATE INDEX queue_items_participant ON queue_items (participant_id, period);

-- Hours per ISO week ('2026-W49'), from the weekly check-in or a declaration; the latest answer wins.
CREATE TABLE weekly_hours (
    participant_id INTEGER NOT NULL REFERENCES participants (person_id) ON DELETE CASCADE,
    week           TEXT NOT NULL,
    hours          REAL NOT NULL CHECK (hours >= 0),
    source         TEXT NOT NULL CHECK (source IN ('checkin', 'declaration')),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (participant_id, week)
) WITHOUT ROWID;
