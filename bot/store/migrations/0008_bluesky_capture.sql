-- Issue 16: the same chat on Bluesky. Member messages from another platform than the home one
-- (Discord) carry where they were posted: the platform, the post's own reference (an AT-URI),
-- its author's (a DID) and handle, and whether the author lets logged-out readers see it.
ALTER TABLE messages ADD COLUMN platform TEXT NOT NULL DEFAULT 'discord';
ALTER TABLE messages ADD COLUMN post_ref TEXT;
ALTER TABLE messages ADD COLUMN author_ref TEXT;
ALTER TABLE messages ADD COLUMN author_handle TEXT;
ALTER TABLE messages ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
CREATE INDEX messages_elsewhere ON messages (session_id, platform) WHERE platform <> 'discord';
CREATE INDEX messages_author_ref ON messages (author_ref) WHERE author_ref IS NOT NULL;

-- Ids for posts and accounts of another platform: such a message's id (and its author's member
-- id) is minus the row's id here, so it never meets a Discord snowflake (always positive). The
-- key is a SHA-256 of the post's AT-URI or the account's DID: what stays of a forgotten
-- member's posts (their ids, so they are not collected again) names nobody.
CREATE TABLE platform_ids (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    key      TEXT NOT NULL,
    UNIQUE (platform, key)
);

-- A person on two platforms, linked by a host (`/chathost link`): the account elsewhere (a
-- handle or a DID, as the host wrote it) is the same person as the home platform's member.
CREATE TABLE member_links (
    platform  TEXT NOT NULL,
    account   TEXT NOT NULL,
    user_id   INTEGER NOT NULL,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (platform, account)
);
