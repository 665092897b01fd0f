-- Append-only record of every change and every read of safeguarding data.
-- Written in the same D1 batch as the change it records.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,                 -- RFC 3339 UTC
    actor_id TEXT,                    -- NULL for actions of someone not yet signed in
    ap_id TEXT,                       -- the AP whose data it concerns
    action TEXT NOT NULL,             -- e.g. invitation.created, safeguarding.read
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]'   -- JSON [{field, old, new}], safeguarding values redacted
);
CREATE INDEX audit_log_by_ap ON audit_log (ap_id, id);
CREATE INDEX audit_log_by_subject ON audit_log (subject_type, subject_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
