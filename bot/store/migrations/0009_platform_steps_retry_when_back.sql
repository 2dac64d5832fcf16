-- A post on a mirror platform that failed for a reason that passes (the platform down, its
-- login refused or missing) is tried again once the platform works again (bot/engine/mirrors.py).
ALTER TABLE platform_steps ADD COLUMN retry_when_back INTEGER NOT NULL DEFAULT 0;
