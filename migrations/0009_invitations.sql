-- An invitation by an AP admin or DSL: one role, for one AP, optionally
-- scoped to placements. Only the SHA-256 of the link's token is stored.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    is_dsl INTEGER NOT NULL DEFAULT 0,
    token_digest TEXT NOT NULL UNIQUE,
    invited_by TEXT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_request TEXT,          -- the request that accepted it; guards the accept batch
    revoked_at TEXT
);
CREATE INDEX invitations_by_ap ON invitations (ap_id, created_at);

CREATE TABLE invitation_scopes (
    invitation_id TEXT NOT NULL REFERENCES invitations (id),
    placement_id TEXT NOT NULL REFERENCES placements (id),
    PRIMARY KEY (invitation_id, placement_id)
);
