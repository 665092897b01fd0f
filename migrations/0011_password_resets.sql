-- Password reset links: single use, short-lived; only the token's SHA-256 is stored.
CREATE TABLE password_resets (
    token_digest TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_request TEXT               -- the request that used it; guards the reset batch
);
