-- Missed-arrival alerts. The cron reads only what is due: checks and
-- deliveries are indexed by the instant they fall due, and only rows still
-- waiting are in those indexes.

-- Each AP's timings (minutes); a session may set its own grace.
ALTER TABLE organisations ADD COLUMN alert_grace_minutes INTEGER NOT NULL DEFAULT 10;
ALTER TABLE organisations ADD COLUMN drop_off_grace_minutes INTEGER NOT NULL DEFAULT 5;
ALTER TABLE organisations ADD COLUMN escalation_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE sessions ADD COLUMN alert_grace_minutes INTEGER;

-- The mobile number alerts are texted to, E.164 (+447…).
ALTER TABLE people ADD COLUMN phone TEXT;

-- London dates whose sessions have been put in alert_checks (once a day),
-- and whose gate-overdue alerts have been raised.
CREATE TABLE alert_days (
    date TEXT PRIMARY KEY,
    planned_at TEXT NOT NULL
);

-- When to look at an occurrence: at start + grace (arrival), and after an
-- escort's pick-up or drop-off. `due_at` moves when the session moves.
CREATE TABLE alert_checks (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    date TEXT NOT NULL,                    -- YYYY-MM-DD, Europe/London
    kind TEXT NOT NULL CHECK (kind IN ('arrival', 'pick_up', 'drop_off')),
    due_at TEXT NOT NULL,                  -- RFC 3339 UTC
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    PRIMARY KEY (session_id, date, kind)
);
CREATE INDEX alert_checks_due ON alert_checks (due_at) WHERE done = 0;

-- One alert per occurrence (whichever check found it first), or per
-- placement and day for an overdue gate.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL UNIQUE,          -- session:<id>:<date> or gate:<placement>:<date>
    kind TEXT NOT NULL CHECK (kind IN ('missed_arrival', 'not_arrived_after_drop_off',
                                       'not_dropped_off', 'gate_overdue')),
    ap_id TEXT NOT NULL REFERENCES organisations (id),
    placement_id TEXT NOT NULL REFERENCES placements (id),
    session_id TEXT REFERENCES sessions (id),
    date TEXT NOT NULL,
    title TEXT NOT NULL,                   -- the lock-screen words: initials, place, time
    body TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    stage INTEGER NOT NULL DEFAULT 0 CHECK (stage BETWEEN 0 AND 2),
    escalates_at TEXT,                     -- NULL: acknowledged, closed or at the last stage
    acknowledged_at TEXT,
    acknowledged_by TEXT REFERENCES people (id),
    closed_at TEXT,
    closed_by TEXT REFERENCES people (id),
    outcome TEXT CHECK (outcome IN ('arrived_late', 'authorised_absence', 'unauthorised_absence',
                                    'child_missing', 'other')),
    note TEXT,
    CHECK ((closed_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX alerts_escalation_due ON alerts (escalates_at) WHERE escalates_at IS NOT NULL;
CREATE INDEX alerts_by_ap ON alerts (ap_id, closed_at, raised_at);
CREATE INDEX alerts_by_placement ON alerts (placement_id);
CREATE INDEX alerts_by_session ON alerts (session_id, date);

-- What happened to an alert, in order: raised, acknowledged, escalated, closed.
-- Deliveries have their own log below.
CREATE TABLE alert_events (
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    kind TEXT NOT NULL CHECK (kind IN ('raised', 'acknowledged', 'escalated', 'closed')),
    stage INTEGER NOT NULL,
    at TEXT NOT NULL,
    person_id TEXT REFERENCES people (id),
    detail TEXT,
    PRIMARY KEY (alert_id, kind, stage)
);

-- A browser that asked for alerts by Web Push (RFC 8030 push resource).
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,                  -- base64url, as the browser gave it
    auth TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX push_subscriptions_by_person ON push_subscriptions (person_id);

-- One message to one person on one channel (one device, for push) at one
-- stage. The UNIQUE key is the claim: whichever cron run inserts it owns
-- it, and a run sends only after winning the `claimed_until` lease.
CREATE TABLE alert_deliveries (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    stage INTEGER NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id),
    channel TEXT NOT NULL CHECK (channel IN ('push', 'email', 'sms')),
    target TEXT NOT NULL,                  -- the subscription id, email address or phone
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'gone')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    UNIQUE (alert_id, stage, person_id, channel, target)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_by_person ON alert_deliveries (person_id, alert_id);

-- Every attempt, whatever its outcome: the evidence that an alert went out.
CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES alert_deliveries (id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'failed', 'gone')),
    http_status INTEGER,
    error TEXT                             -- why it failed, never the message itself
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id);
