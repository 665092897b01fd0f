-- The AP's terms: sessions happen only inside one (no terms: every week).
CREATE TABLE term_dates (
    id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    starts TEXT NOT NULL,          -- YYYY-MM-DD, inclusive
    ends TEXT NOT NULL CHECK (ends >= starts)
);
CREATE INDEX term_dates_by_ap ON term_dates (ap_id, starts);

-- One-off changes to one occurrence of a weekly session: cancelled, or at
-- other London times that day.
CREATE TABLE session_changes (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    date TEXT NOT NULL,            -- YYYY-MM-DD
    cancelled INTEGER NOT NULL CHECK (cancelled IN (0, 1)),
    start_time TEXT,
    end_time TEXT,
    reason TEXT NOT NULL,
    changed_by TEXT REFERENCES people (id),
    changed_at TEXT NOT NULL,
    PRIMARY KEY (session_id, date),
    CHECK (cancelled = 1 OR (start_time IS NOT NULL AND end_time > start_time))
);

-- A session taken off the timetable keeps its row (registers refer to it)
-- and stops after this date.
ALTER TABLE sessions ADD COLUMN valid_until TEXT;

-- The people alerts go to for a placement, on both sides: at the AP, and at
-- the commissioning school or LA.
CREATE TABLE designated_contacts (
    placement_id TEXT NOT NULL REFERENCES placements (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    side TEXT NOT NULL CHECK (side IN ('ap', 'commissioner')),
    PRIMARY KEY (placement_id, person_id)
);
CREATE INDEX designated_contacts_by_person ON designated_contacts (person_id);
