-- Settings changed through the management API: one JSON document (SettingsOverrides), replaced as a whole under a
-- version check, so that two processes changing settings at once never lose either change.
CREATE TABLE mint_settings (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
