-- Accounts on another platform (Bluesky) a host told the bot to ignore for one chat
-- (`/chathost ignore-account`): their posts are not collected while the row is here, and the
-- messages hidden when it was added (`hidden_ids`, a JSON array) are shown again when a host
-- takes it back.
CREATE TABLE ignored_accounts (
    chat        TEXT NOT NULL,
    platform    TEXT NOT NULL,
    account_ref TEXT NOT NULL,            -- the DID
    handle      TEXT,
    hidden_ids  TEXT NOT NULL DEFAULT '[]',
    ignored_at  TEXT NOT NULL,
    ignored_by  TEXT NOT NULL,
    PRIMARY KEY (chat, platform, account_ref)
);
