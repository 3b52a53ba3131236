-- A party's personal data is sealed by the service (AES-256-GCM, see
-- service_kit::keyring), each value bound to its table, column and row:
-- names, date of birth, nationality, employer and occupation in `parties`,
-- contact point values, and address lines, city, state and postal code.
-- Filters match keyed blind indexes: last_name_key, date_of_birth_key and
-- the contact points' value_key. `sealed` marks a party whose rows are
-- sealed; parties written before this are sealed when the service starts.
ALTER TABLE parties ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE parties ADD COLUMN date_of_birth_key TEXT;
DROP INDEX parties_by_date_of_birth;
CREATE INDEX parties_by_date_of_birth_key ON parties (date_of_birth_key, id);
