-- A session's transport run: where and when the escort collects the pupil.
-- The drop-off is the session's venue.
ALTER TABLE sessions ADD COLUMN pickup_place TEXT;
ALTER TABLE sessions ADD COLUMN pickup_time TEXT;                        -- HH:MM, Europe/London
ALTER TABLE sessions ADD COLUMN pickup_window_minutes INTEGER NOT NULL DEFAULT 15;
