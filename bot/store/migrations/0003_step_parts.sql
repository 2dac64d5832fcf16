-- Multi-part steps (the recap's several messages): how many parts are out, so a retry or a
-- restart continues after the last one instead of posting the first ones again.
ALTER TABLE steps ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
