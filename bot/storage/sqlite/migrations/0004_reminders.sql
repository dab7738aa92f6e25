-- Reminders and scheduler (issue 5): exactly-once keys, coach pushes, outbox claims.

-- One row per reminder ever decided: sent (queued in the outbox) or dropped because its moment
-- passed. The unique key makes a second sweep, an overlapping sweep or a catch-up harmless.
CREATE TABLE reminder_keys (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    period         TEXT NOT NULL,
    stage          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'dropped')),
    day            TEXT NOT NULL,  -- local (Europe/Amsterdam) date of the decision
    outbox_id      INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (participant_id, kind, period, stage)
);
CREATE INDEX reminder_keys_day ON reminder_keys (participant_id, day, status);

-- A coach's own message to some of their participants: once (at `at`) or weekly.
CREATE TABLE coach_pushes (
    id           INTEGER PRIMARY KEY,
    coach_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    text         TEXT NOT NULL,
    schedule     TEXT NOT NULL CHECK (schedule IN ('once', 'weekly')),
    at           TEXT,     -- UTC moment, for 'once'
    weekday      INTEGER,  -- Monday = 0, for 'weekly'
    at_time      TEXT,     -- local 'HH:MM', for 'weekly'
    created_at   TEXT NOT NULL,
    cancelled_at TEXT,
    done_at      TEXT      -- a 'once' push after it went out
);
CREATE INDEX coach_pushes_coach ON coach_pushes (coach_id, cancelled_at);

CREATE TABLE coach_push_targets (
    push_id        INTEGER NOT NULL REFERENCES coach_pushes (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (push_id, participant_id)
) WITHOUT ROWID;

-- One row per push, participant and occurrence (UTC moment): exactly once.
CREATE TABLE coach_push_runs (
    push_id        INTEGER NOT NULL REFERENCES coach_pushes (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    occurrence     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'dropped')),
    outbox_id      INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (push_id, participant_id, occurrence)
) WITHOUT ROWID;

-- The sender claims a row before sending it (a lease, so a crashed sender's claim runs out);
-- `held` marks a row that must go before later rows of the same person (a 429 or an error).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
