-- Every attempt to send an email through the provider, successful or not.
CREATE TABLE email_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    template TEXT NOT NULL,           -- which of our templates (invitation, password_reset, ...)
    recipient TEXT NOT NULL,
    reference TEXT NOT NULL,          -- what it was about, e.g. invitation:<id>
    status TEXT NOT NULL CHECK (status IN ('accepted', 'failed')),
    provider_id TEXT,                 -- Notify's notification id when accepted
    error TEXT                        -- why it failed, without the message content
);
CREATE INDEX email_deliveries_by_reference ON email_deliveries (reference);
