-- Parties: persons and organisations. Ids are random 10-digit strings.
-- *_key columns hold the lower-cased value that filters match against.
CREATE TABLE parties (
    id                TEXT PRIMARY KEY NOT NULL,
    kind              TEXT NOT NULL,
    first_name        TEXT,
    middle_name       TEXT,
    last_name         TEXT,
    last_name_key     TEXT,
    organisation_name TEXT,
    date_of_birth     TEXT,
    nationality       TEXT,
    employment_status TEXT,
    employer          TEXT,
    occupation        TEXT,
    version           BIGINT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX parties_by_last_name ON parties (last_name_key, id);
CREATE INDEX parties_by_date_of_birth ON parties (date_of_birth, id);

CREATE TABLE party_contact_points (
    party_id  TEXT NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    channel   TEXT NOT NULL,
    value     TEXT NOT NULL,
    value_key TEXT NOT NULL,
    usage     TEXT,
    PRIMARY KEY (party_id, position)
);
CREATE INDEX party_contact_points_by_value ON party_contact_points (channel, value_key);

CREATE TABLE party_identifiers (
    party_id        TEXT NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    id_type         TEXT NOT NULL,
    format_code     TEXT,
    value           TEXT NOT NULL,
    issuing_country TEXT,
    PRIMARY KEY (party_id, position)
);
CREATE INDEX party_identifiers_by_value ON party_identifiers (id_type, value);

CREATE TABLE party_addresses (
    party_id     TEXT NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    lines        TEXT NOT NULL, -- a JSON array of 1 to 6 strings
    city         TEXT,
    state        TEXT,
    postal_code  TEXT,
    country_code TEXT NOT NULL,
    usage        TEXT,
    PRIMARY KEY (party_id, position)
);
