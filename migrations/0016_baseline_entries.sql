-- The baseline, one row per value ever entered: the latest row of a field is
-- its current value, the earlier ones its history. Each says who entered it,
-- when and how (typed, or imported from a CTF). Rows are never changed.
CREATE TABLE baseline_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    field TEXT NOT NULL,           -- section.key, from lt-core's field table
    value TEXT NOT NULL,           -- JSON; 'null' when the field was cleared
    source TEXT NOT NULL CHECK (source IN ('typed', 'imported')),
    entered_by TEXT REFERENCES people (id),
    organisation_id TEXT REFERENCES organisations (id),   -- whom they entered it for
    entered_at TEXT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX baseline_entries_by_field ON baseline_entries (placement_id, field, id);

CREATE TRIGGER baseline_entries_are_kept BEFORE UPDATE ON baseline_entries
BEGIN
    SELECT RAISE(ABORT, 'baseline entries are never changed; add a new one');
END;

-- Carry the sections stored whole into one row per field.
INSERT INTO baseline_entries (placement_id, field, value, source, entered_by, entered_at, request_id)
    SELECT b.placement_id, b.section || '.' || j.key,
           CASE j.type WHEN 'text' THEN json_quote(j.value)
                       WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null'
                       ELSE j.value END,
           'typed', b.updated_by, b.updated_at, 'migration-0016'
    FROM baseline_sections b, json_each(b.data) j;
DROP TABLE baseline_sections;
