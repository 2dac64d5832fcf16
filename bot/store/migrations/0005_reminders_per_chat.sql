-- "Remind me" per chat: one row per member and chat they want a DM before. It used to be one
-- switch per member, and with several chats only the chats a member had posted in reminded them.
CREATE TABLE reminders (
    user_id INTEGER NOT NULL,
    chat    TEXT NOT NULL,
    PRIMARY KEY (user_id, chat)
);

-- Keep every DM members were getting: the chats they took part in ...
INSERT OR IGNORE INTO reminders (user_id, chat)
SELECT DISTINCT m.user_id, s.chat
FROM members AS m
JOIN session_members AS sm ON sm.user_id = m.user_id
JOIN sessions AS s ON s.id = sm.session_id AND sm.messages > 0
WHERE m.remind = 1;

-- ... and, where the database has known one chat only, that chat, posted in or not.
INSERT OR IGNORE INTO reminders (user_id, chat)
SELECT m.user_id, (SELECT chat FROM sessions LIMIT 1)
FROM members AS m
WHERE m.remind = 1 AND (SELECT COUNT(DISTINCT chat) FROM sessions) = 1;

ALTER TABLE members DROP COLUMN remind;
