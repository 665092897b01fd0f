-- Outside people (school, LA, tutors) see only the placements they were
-- invited for. AP staff grants have no rows here: they see the whole AP.
-- Escorts are scoped by the transport runs assigned to them (sessions.escort_id).
CREATE TABLE grant_scopes (
    person_id TEXT NOT NULL,
    ap_id TEXT NOT NULL,
    role TEXT NOT NULL,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (person_id, ap_id, role, placement_id),
    FOREIGN KEY (person_id, ap_id, role) REFERENCES grants (person_id, ap_id, role)
);
CREATE INDEX grant_scopes_by_placement ON grant_scopes (placement_id);
