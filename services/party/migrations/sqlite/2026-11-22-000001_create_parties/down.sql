DROP TABLE party_addresses;
DROP TABLE party_identifiers;
DROP TABLE party_contact_points;
DROP TABLE parties;
