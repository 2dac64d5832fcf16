-- Sessions: one chat on one date, with a snapshot of its topic taken when it was planned.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    chat        TEXT NOT NULL,
    chat_date   TEXT NOT NULL,                 -- local date in the chat's zone (ISO)
    start_at    TEXT NOT NULL,                 -- UTC ISO 8601
    topic_json  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'planned',  -- planned|running|paused|closed|recapped|cancelled
    paused_at   TEXT,
    event_id    INTEGER,                       -- Discord scheduled event
    created_at  TEXT NOT NULL,
    UNIQUE (chat, chat_date)
);

-- The ledger: every step of a session's run of show and what became of it.
CREATE TABLE steps (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    question    INTEGER,
    due_at      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',  -- pending|sent|skipped|failed
    message_id  INTEGER,
    channel_id  INTEGER,
    thread_id   INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    PRIMARY KEY (session_id, key)
);
CREATE INDEX steps_pending ON steps (status, due_at);

-- Every member message seen in a chat channel (or a question thread), stored as it arrives.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,      -- Discord message id
    session_id       INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    channel_id       INTEGER NOT NULL,
    thread_id        INTEGER,
    author_id        INTEGER NOT NULL,
    author_name      TEXT NOT NULL,
    author_is_bot    INTEGER NOT NULL DEFAULT 0,
    author_is_host   INTEGER NOT NULL DEFAULT 0,
    content          TEXT,                     -- NULL once purged by retention
    created_at       TEXT NOT NULL,
    edited_at        TEXT,
    deleted_at       TEXT,
    reply_to         INTEGER,
    kind             TEXT NOT NULL,            -- answer|discussion|intro|unmatched|outside
    questions        TEXT NOT NULL DEFAULT '', -- "1,2"
    labels           TEXT NOT NULL DEFAULT '', -- labels as written, "\n"-separated
    unmatched_labels TEXT NOT NULL DEFAULT '',
    late             INTEGER NOT NULL DEFAULT 0,
    hidden           INTEGER NOT NULL DEFAULT 0,  -- a host excluded it from the recap
    reactions        INTEGER NOT NULL DEFAULT 0,
    jump_url         TEXT
);
CREATE INDEX messages_session ON messages (session_id, created_at);
CREATE INDEX messages_author ON messages (author_id);
CREATE INDEX messages_channel ON messages (channel_id, id);

-- Who reacted with what, so add/remove stay idempotent and counts exact.
CREATE TABLE reactions (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    emoji      TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE members (
    user_id          INTEGER PRIMARY KEY,
    display_name     TEXT NOT NULL,
    first_seen_at    TEXT,
    last_seen_at     TEXT,
    first_session_id INTEGER,
    sessions_count   INTEGER NOT NULL DEFAULT 0,
    opted_out        INTEGER NOT NULL DEFAULT 0,
    remind           INTEGER NOT NULL DEFAULT 0
);

-- Participation per member per session (counts kept even after message text is purged).
CREATE TABLE session_members (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    messages   INTEGER NOT NULL DEFAULT 0,
    answers    INTEGER NOT NULL DEFAULT 0,
    newcomer   INTEGER NOT NULL DEFAULT 0,
    welcomed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, user_id)
);

CREATE TABLE moderation_actions (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    user_id    INTEGER NOT NULL,
    message_id INTEGER,
    action     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX moderation_user ON moderation_actions (user_id);
