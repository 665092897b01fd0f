CREATE TABLE venues (
    id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL
);

-- The weekly timetable of a placement: London wall-clock times on a weekday.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- 1 = Monday (ISO 8601)
    start_time TEXT NOT NULL,      -- HH:MM, Europe/London
    end_time TEXT NOT NULL CHECK (end_time > start_time),
    venue_id TEXT NOT NULL REFERENCES venues (id),
    tutor_id TEXT REFERENCES people (id),
    escort_id TEXT REFERENCES people (id)   -- set when a taxi run brings the pupil
);
CREATE INDEX sessions_by_weekday ON sessions (weekday, placement_id);
CREATE INDEX sessions_by_tutor ON sessions (tutor_id, weekday);
CREATE INDEX sessions_by_escort ON sessions (escort_id, weekday);
