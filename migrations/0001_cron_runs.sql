-- Each run of the scheduled handler, keyed by the instant it was scheduled for,
-- so a retried or replayed run is recorded once.
CREATE TABLE cron_runs (
    id INTEGER PRIMARY KEY,
    cron TEXT NOT NULL,
    scheduled_at TEXT NOT NULL,   -- RFC 3339 UTC, the event's scheduled time
    recorded_at TEXT NOT NULL,    -- RFC 3339 UTC, the wall clock when it ran
    UNIQUE (cron, scheduled_at)
);
CREATE INDEX cron_runs_by_time ON cron_runs (scheduled_at);
