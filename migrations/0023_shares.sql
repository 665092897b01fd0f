-- Links that share a placement's Reintegration Export with someone outside
-- LearnTrek. Only a digest of a link's token is kept; a link expires and can
-- be revoked. Opening one needs a code emailed to the recipient: each code
-- is kept as a digest bound to its link, tried at most five times, used
-- once, and when right gives a reading key (also kept as a digest) for
-- half an hour.
CREATE TABLE shares (
    id TEXT PRIMARY KEY,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    token_digest TEXT NOT NULL UNIQUE,
    recipient_email TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    shared_by TEXT REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT REFERENCES people (id)
);
CREATE INDEX shares_by_placement ON shares (placement_id, created_at);

CREATE TABLE share_codes (
    id TEXT PRIMARY KEY,
    share_id TEXT NOT NULL REFERENCES shares (id),
    code_digest TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TEXT,
    access_digest TEXT UNIQUE,
    access_until TEXT
);
CREATE INDEX share_codes_by_share ON share_codes (share_id, sent_at);
