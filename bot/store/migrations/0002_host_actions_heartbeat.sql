-- Host controls (pause, skip, extend ...) recorded so they survive a restart and can be audited.
CREATE TABLE host_actions (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- The running bot writes here every 30 s while connected; `leadershipchat health` reads it.
CREATE TABLE heartbeat (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    beat_at  TEXT NOT NULL,
    pid      INTEGER NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);

-- Recap files written for a session (folder) and when the Discord recap went out.
ALTER TABLE sessions ADD COLUMN recap_dir TEXT;
ALTER TABLE sessions ADD COLUMN recap_posted_at TEXT;
