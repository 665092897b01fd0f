-- The transition baseline of a placement, one row per section (identity,
-- safeguarding, academic, behaviour, strategies, medical, contacts), each a
-- JSON document checked by lt-core before it is written.
CREATE TABLE baseline_sections (
    placement_id TEXT NOT NULL REFERENCES placements (id),
    section TEXT NOT NULL CHECK (section IN ('identity', 'safeguarding', 'academic', 'behaviour',
                                             'strategies', 'medical', 'contacts')),
    data TEXT NOT NULL,
    updated_by TEXT REFERENCES people (id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (placement_id, section)
);
