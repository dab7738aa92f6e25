-- Queue states people can see (issue 11): superseded versions and cards edited in place.

-- A queue item superseded by a newer version of its month points at the newer item. It is stored
-- closed ('afgehandeld', so every count of open items and the retention purge treat it as closed)
-- and read as 'vervangen' (bot/storage/queue.py).
ALTER TABLE queue_items ADD COLUMN replaced_by INTEGER REFERENCES queue_items (id) ON DELETE SET NULL;

-- The message id the channel gave a delivered row (a card), so a later row can edit it;
-- `edit_of` marks a row that edits the message of an earlier row (sent anew if it can't).
ALTER TABLE outbox ADD COLUMN channel_message_id TEXT;
ALTER TABLE outbox ADD COLUMN edit_of INTEGER REFERENCES outbox (id) ON DELETE SET NULL;
