-- A grant is one role a person holds for one AP's data, through their own
-- organisation (the AP itself, a school, an LA or a transport firm). It
-- replaces memberships, which could not say which AP an outside person serves.
CREATE TABLE grants (
    person_id TEXT NOT NULL REFERENCES people (id),
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('ap_admin', 'dsl', 'ap_practitioner', 'off_site_tutor',
                                       'taxi_escort', 'school_staff', 'la_commissioner')),
    is_dsl INTEGER NOT NULL DEFAULT 0 CHECK (is_dsl IN (0, 1)),   -- school staff who are their school's DSL
    created_at TEXT NOT NULL,
    PRIMARY KEY (person_id, ap_id, role)
);
CREATE INDEX grants_by_ap ON grants (ap_id, role);

-- Memberships of AP staff carry over; nothing else had been deployed.
INSERT INTO grants (person_id, ap_id, organisation_id, role, created_at)
SELECT m.person_id, m.organisation_id, m.organisation_id, m.role, datetime('now')
FROM memberships m JOIN organisations o ON o.id = m.organisation_id
WHERE o.kind = 'ap';

DROP TABLE memberships;
