-- E-mail (issue 12): a person's address, and outbox rows that go by e-mail.

-- A person's e-mail address, lowercased and trimmed (bot/domain/email.py); NULL when none. One
-- person per address, so the login page finds exactly one.
ALTER TABLE people ADD COLUMN email TEXT;
CREATE UNIQUE INDEX people_email ON people (email) WHERE email IS NOT NULL;

-- The channel a row goes by: NULL for the person's chat (every row before this), 'email' for a
-- mail to the person's address. The chat sender and the mail sender each take only their own.
ALTER TABLE outbox ADD COLUMN channel TEXT;
