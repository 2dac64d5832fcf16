-- Members who asked to be forgotten, as a salted hash of their id only, with when: their messages
-- posted before then are still on Discord, and a catch-up reading history (or a resumed session
-- replaying events) must not store them again. Messages they post after are stored as anyone's.
-- The salt is this database's own, so the hashes match no other list of ids.
CREATE TABLE forgotten_members (
    hash         TEXT PRIMARY KEY,
    forgotten_at TEXT NOT NULL
);
CREATE TABLE erasure_salt (
    salt TEXT NOT NULL
);
INSERT INTO erasure_salt (salt) VALUES (lower(hex(randomblob(16))));

-- The "Remind me" DMs of a session, member by member: claimed just before the DM goes, marked
-- sent after, both before the reminder step counts as done. A crash in between leaves the claim,
-- and the step's retry skips that member (a DM that may have gone is not sent twice); members not
-- reached yet still get theirs.
CREATE TABLE reminder_dms (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    sent_at    TEXT,
    PRIMARY KEY (session_id, user_id)
);
