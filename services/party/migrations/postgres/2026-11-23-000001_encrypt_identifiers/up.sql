-- Identifier values (tax ids) are sealed by the service (AES-256-GCM, see
-- service_kit::keyring); value_key holds the keyed blind index that filters
-- match. Rows written before this have no value_key yet: the service seals
-- them when it starts.
ALTER TABLE party_identifiers ADD COLUMN value_key TEXT;
DROP INDEX party_identifiers_by_value;
CREATE INDEX party_identifiers_by_key ON party_identifiers (id_type, value_key);
