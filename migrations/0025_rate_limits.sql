-- Requests counted per key (a limit's name and its subject: a client address,
-- an email address, a person) in fixed windows; one row per key, reset when
-- a request arrives in a later window. The cron run deletes ended windows.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_ends_at TEXT NOT NULL,
    hits INTEGER NOT NULL
);

CREATE INDEX rate_limits_ended ON rate_limits (window_ends_at);
