-- Queue feature (issue 4): delegations between klantmanagers and the history of queue items.

-- A klantmanager away until `until` (a local date, inclusive) lets a colleague see their caseload.
CREATE TABLE delegations (
    id         INTEGER PRIMARY KEY,
    from_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    to_id      INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    until      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (from_id != to_id),
    UNIQUE (from_id, to_id)
);
CREATE INDEX delegations_to ON delegations (to_id, until);

-- Every state change of a queue item: who, when, from which state to which, and why.
CREATE TABLE queue_history (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES queue_items (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES people (id) ON DELETE SET NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX queue_history_item ON queue_history (item_id, at);
