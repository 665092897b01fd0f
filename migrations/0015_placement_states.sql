-- The transition gate adds a state between referral and activity
-- (baseline submitted), and an ended placement records why. SQLite cannot
-- change a CHECK, so the table is rebuilt; foreign keys that name it are
-- checked at commit, when the rebuilt table holds the rows again.
PRAGMA defer_foreign_keys = true;

CREATE TABLE placements_rebuilt (
    id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    pupil_id TEXT NOT NULL REFERENCES pupils (id),
    commissioner_id TEXT NOT NULL REFERENCES organisations (id),
    tier TEXT NOT NULL CHECK (tier IN ('outreach', 'short_term', 'eotas')),
    state TEXT NOT NULL CHECK (state IN ('referred', 'submitted', 'active', 'ended')),
    start_date TEXT NOT NULL,
    end_date TEXT,                 -- planned end; required for short_term
    end_reason TEXT CHECK (end_reason IN ('reintegrated', 'completed', 'moved_provision', 'withdrawn', 'other')),
    ended_on TEXT,
    created_at TEXT NOT NULL,
    CHECK (tier <> 'short_term' OR end_date IS NOT NULL),
    CHECK ((state = 'ended') = (end_reason IS NOT NULL))
);
-- Rows go in after the rename: inserting a parent row is what clears the
-- deferred foreign-key violations the drop counted.
CREATE TABLE placements_copy AS SELECT * FROM placements;
DROP TABLE placements;
ALTER TABLE placements_rebuilt RENAME TO placements;
INSERT INTO placements (id, ap_id, pupil_id, commissioner_id, tier, state, start_date, end_date,
                        end_reason, ended_on, created_at)
    SELECT id, ap_id, pupil_id, commissioner_id, tier, state, start_date, end_date,
           CASE WHEN state = 'ended' THEN 'other' END, CASE WHEN state = 'ended' THEN end_date END, created_at
    FROM placements_copy;
DROP TABLE placements_copy;
CREATE INDEX placements_by_ap ON placements (ap_id, state);
CREATE INDEX placements_by_commissioner ON placements (commissioner_id, state);
-- Placements not yet active, by start date: the daily gate-overdue check.
CREATE INDEX placements_by_start ON placements (state, start_date);

-- Each step of a placement's life: who took it, when, and what they said.
CREATE TABLE placement_events (
    id TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    comment TEXT,
    actor_id TEXT REFERENCES people (id),
    at TEXT NOT NULL
);
CREATE INDEX placement_events_by_placement ON placement_events (placement_id, at);

-- A placement whose start date came with its gate still open: recorded by
-- the cron once, for the alerts to tell the AP admin and the commissioner.
CREATE TABLE gate_overdue (
    placement_id TEXT PRIMARY KEY REFERENCES placements (id),
    start_date TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
