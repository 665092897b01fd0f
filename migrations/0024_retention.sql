-- Retention: each AP keeps a pupil's record until a birthday (the IRMS
-- toolkit's 25 unless the AP sets another). A daily review lists the ended
-- placements that have reached it; an AP admin decides on each.
ALTER TABLE organisations ADD COLUMN keep_until_age INTEGER NOT NULL DEFAULT 25
    CHECK (keep_until_age BETWEEN 18 AND 100);

CREATE TABLE retention_days (
    day TEXT PRIMARY KEY,          -- YYYY-MM-DD, Europe/London
    reviewed_at TEXT NOT NULL
);

-- The latest review's list, replaced whole by each review.
CREATE TABLE retention_due (
    placement_id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL,
    review_on TEXT NOT NULL,
    listed_on TEXT NOT NULL
);
CREATE INDEX retention_due_by_ap ON retention_due (ap_id, review_on);
