-- The progress log: one row per save of a session's entry, never changed.
-- An edit is a new row with the same entry_id; the entry is the row saved
-- latest on its device, and the others are its history. The save id comes
-- from the device, so a replayed save is recorded once.
CREATE TABLE progress_saves (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    date TEXT NOT NULL,                    -- YYYY-MM-DD, Europe/London
    placement_id TEXT NOT NULL REFERENCES placements (id),
    engagement INTEGER NOT NULL CHECK (engagement BETWEEN 1 AND 5),
    incidents TEXT NOT NULL,               -- JSON: [{kind, severity, time, trigger, strategy, outcome}]
    strategies TEXT NOT NULL,              -- JSON: [{strategy, effect}]
    note TEXT NOT NULL,
    recorded_by TEXT REFERENCES people (id),
    device_time TEXT NOT NULL,
    received_at TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX progress_saves_by_entry ON progress_saves (entry_id, device_time);
CREATE INDEX progress_saves_by_placement ON progress_saves (placement_id, date);

CREATE TRIGGER progress_saves_are_kept BEFORE UPDATE ON progress_saves
BEGIN
    SELECT RAISE(ABORT, 'progress saves are never changed; an edit is a new save');
END;
