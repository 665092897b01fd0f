CREATE TABLE pupils (
    id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,   -- YYYY-MM-DD
    upn TEXT,                      -- unique pupil number, when known
    created_at TEXT NOT NULL
);
CREATE INDEX pupils_by_ap ON pupils (ap_id);

-- One pupil at one AP, commissioned by a school or an LA, in one tier.
CREATE TABLE placements (
    id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    pupil_id TEXT NOT NULL REFERENCES pupils (id),
    commissioner_id TEXT NOT NULL REFERENCES organisations (id),
    tier TEXT NOT NULL CHECK (tier IN ('outreach', 'short_term', 'eotas')),
    state TEXT NOT NULL CHECK (state IN ('referred', 'active', 'ended')),
    start_date TEXT NOT NULL,
    end_date TEXT,                 -- planned end; required for short_term
    created_at TEXT NOT NULL,
    CHECK (tier <> 'short_term' OR end_date IS NOT NULL)
);
CREATE INDEX placements_by_ap ON placements (ap_id, state);
CREATE INDEX placements_by_commissioner ON placements (commissioner_id, state);
