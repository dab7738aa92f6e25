-- The web inbox (issue 12): one-time login links, stored only as a SHA-256 hash of the token.
-- A link is valid 15 minutes and works once (`used_at`); expired rows are deleted when new links
-- are made.
CREATE TABLE web_login_links (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX web_login_links_person ON web_login_links (person_id);
CREATE INDEX web_login_links_expires ON web_login_links (expires_at);
