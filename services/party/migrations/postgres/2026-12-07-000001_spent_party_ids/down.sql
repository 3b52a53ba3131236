DROP TABLE party_ids;
