-- A signed-in browser. Only the SHA-256 of the cookie's token is stored.
CREATE TABLE sign_ins (
    token_digest TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_expires_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL
);
CREATE INDEX sign_ins_by_person ON sign_ins (person_id);
