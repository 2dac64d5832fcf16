-- Per-platform step records: what became of each step on a platform the chat also runs on
-- (issue 16: Bluesky beside Discord). The home platform's record stays the step's own row.
CREATE TABLE platform_steps (
    session_id  INTEGER NOT NULL,
    key         TEXT NOT NULL,
    platform    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',  -- pending|sent|skipped|failed
    post_ref    TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    PRIMARY KEY (session_id, key, platform),
    FOREIGN KEY (session_id, key) REFERENCES steps (session_id, key) ON DELETE CASCADE
);
CREATE INDEX platform_steps_pending ON platform_steps (status);
