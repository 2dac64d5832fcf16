-- Every message a multi-part step (the recap) posted, every run of it, so its posts can be edited
-- later (a member forgotten or opted out). Recaps posted before this migration are known by their
-- first message only.
CREATE TABLE step_posts (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    part       INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (session_id, key, message_id)
);
INSERT INTO step_posts (session_id, key, part, channel_id, message_id)
    SELECT session_id, key, 0, channel_id, message_id FROM steps
    WHERE kind = 'recap' AND message_id IS NOT NULL AND channel_id IS NOT NULL;

-- A forget that was asked for and whose erasure has not committed yet. The erasure deletes the
-- row in its own transaction (its `user_id` column is swept with the rest), so a kill before the
-- commit leaves it here and the next start finishes the job.
CREATE TABLE erasure_requests (
    user_id      INTEGER PRIMARY KEY,
    requested_at TEXT NOT NULL
);

-- Published copies of a session to redo from the database after a forget, an opt-out or the
-- retention purge, and what was redone: the files (recap folder, recorded archive sites and
-- recap folders) and the bot's own Discord posts (recap, newcomer welcomes). A row is queued
-- before (or with) the change it follows, so a crash part-way resumes where it stopped.
CREATE TABLE redo_work (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,             -- forget | optout | retention
    queued_at  TEXT NOT NULL,
    files_at   TEXT,
    files_note TEXT,
    posts_at   TEXT,
    posts_note TEXT
);
CREATE INDEX redo_work_posts ON redo_work (posts_at, session_id);

-- Where `leadershipchat site` and `leadershipchat recap --out` wrote, so forgetting rewrites
-- those copies too (the bot's own recap folder is `sessions.recap_dir`).
CREATE TABLE recap_outputs (
    path       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,             -- site | recap
    chat       TEXT,                      -- site: only this chat (NULL: all)
    session_id INTEGER,                   -- recap: the session written
    title      TEXT,
    base_url   TEXT,
    formats    TEXT,
    written_at TEXT NOT NULL
);
