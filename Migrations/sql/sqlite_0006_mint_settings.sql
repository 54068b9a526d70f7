-- Settings changed through the management API: one JSON document (SettingsOverrides), replaced as a whole under a
-- version check, so that two processes changing settings at once never lose either change.
CREATE TABLE mint_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
