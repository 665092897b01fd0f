-- Reviews: where a pupil is now (reading age, working levels) and what the
-- staff who know them want the next school to hear. Kept, never changed:
-- the latest value of each level is "now" in the Reintegration Export.
CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    reading_age TEXT,
    english_level TEXT,
    maths_level TEXT,
    commentary TEXT NOT NULL,
    written_by TEXT REFERENCES people (id),
    written_at TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX reviews_by_placement ON reviews (placement_id, written_at);

CREATE TRIGGER reviews_are_kept BEFORE UPDATE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'reviews are never changed; write a new one');
END;

-- The first day a weekly session runs: one added to a placement under way
-- has no register before it. NULL (sessions from before this column): from
-- the placement's start.
ALTER TABLE sessions ADD COLUMN valid_from TEXT;
