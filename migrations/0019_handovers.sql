-- Escorts' hand-overs: one row per tap, never changed. The id comes from the
-- device, so a replayed confirmation is recorded once. A location is kept
-- only when the escort agreed to share it for that tap.
CREATE TABLE handovers (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    date TEXT NOT NULL,                    -- YYYY-MM-DD, Europe/London
    placement_id TEXT NOT NULL REFERENCES placements (id),
    kind TEXT NOT NULL CHECK (kind IN ('pick_up', 'drop_off')),
    recorded_by TEXT REFERENCES people (id),
    device_time TEXT NOT NULL,
    received_at TEXT NOT NULL,
    latitude REAL CHECK (latitude BETWEEN -90 AND 90),
    longitude REAL CHECK (longitude BETWEEN -180 AND 180),
    accuracy_m REAL,
    request_id TEXT NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX handovers_by_occurrence ON handovers (session_id, date);

CREATE TRIGGER handovers_are_kept BEFORE UPDATE ON handovers
BEGIN
    SELECT RAISE(ABORT, 'hand-overs are never changed');
END;
