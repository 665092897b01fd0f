-- Organisations: APs own the data; schools and LAs commission placements;
-- transport firms carry pupils.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ap', 'school', 'la', 'transport')),
    name TEXT NOT NULL,
    urn TEXT,          -- schools: the DfE unique reference number
    la_code TEXT,      -- local authorities: the three-digit LA code
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,   -- trimmed and lower-cased
    name TEXT NOT NULL,
    password_hash TEXT,           -- Argon2id PHC string; NULL until an invitation is accepted
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    person_id TEXT NOT NULL REFERENCES people (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('ap_admin', 'dsl', 'ap_practitioner', 'off_site_tutor',
                                       'taxi_escort', 'school_staff', 'la_commissioner')),
    PRIMARY KEY (person_id, organisation_id, role)
);
CREATE INDEX memberships_by_organisation ON memberships (organisation_id);
