-- WhatsApp (issue 13). Numbered 0008: 0007 is the web inbox's (issue 12).

-- When the person last wrote on this chat: WhatsApp allows free messages only within 24 hours
-- of it, and pushes go to the chat a person used last.
ALTER TABLE channel_identities ADD COLUMN last_inbound_at TEXT;

-- The chat channel a person chose for pushes (/kanaal); NULL: the one they used last.
ALTER TABLE people ADD COLUMN chat_channel TEXT;

-- What the channel told us after sending (WhatsApp's status webhooks: sent, delivered, read,
-- failed), found by the channel's message id.
ALTER TABLE outbox ADD COLUMN delivery_status TEXT;
ALTER TABLE outbox ADD COLUMN delivery_status_at TEXT;
CREATE INDEX outbox_channel_message ON outbox (channel_message_id)
    WHERE channel_message_id IS NOT NULL;

-- Pushes that went as a template (outside WhatsApp's 24-hour window), by the hashed message id
-- the template got: the full message follows when the person writes next. Unanswered ones go
-- after 30 days.
CREATE TABLE template_follow_ups (
    message_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
