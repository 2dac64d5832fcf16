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
