-- Failed sign-ins, counted per account and per client address, to slow and
-- then lock out guessing. key is 'email:<address>' or 'ip:<address>'.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_failed_at TEXT NOT NULL,
    locked_until TEXT
);
