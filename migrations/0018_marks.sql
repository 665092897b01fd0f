-- Registers: every mark ever made, never changed. Which one counts for a
-- session is decided by lt-core's conflict rule over all marks of that
-- session on that date; the others are its history. The id comes from the
-- device, so a replayed mark is recorded once.
CREATE TABLE marks (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    date TEXT NOT NULL,                    -- YYYY-MM-DD, Europe/London
    placement_id TEXT NOT NULL REFERENCES placements (id),
    kind TEXT NOT NULL CHECK (kind IN ('present', 'late', 'absent')),
    minutes_late INTEGER CHECK ((kind = 'late') = (minutes_late IS NOT NULL)),
    reason TEXT CHECK ((kind = 'absent') = (reason IS NOT NULL)),
    half_day TEXT NOT NULL CHECK (half_day IN ('AM', 'PM')),
    ap_code TEXT NOT NULL,
    school_code TEXT NOT NULL,
    marked_by TEXT REFERENCES people (id),
    device_time TEXT NOT NULL,
    received_at TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX marks_by_occurrence ON marks (session_id, date);
CREATE INDEX marks_by_placement ON marks (placement_id, date);

CREATE TRIGGER marks_are_kept BEFORE UPDATE ON marks
BEGIN
    SELECT RAISE(ABORT, 'marks are never changed; a correction is a new mark');
END;
