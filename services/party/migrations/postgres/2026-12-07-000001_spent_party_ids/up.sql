-- Every party id ever given out, so that none is given twice: a party's
-- row is written here in the transaction that creates it, and stays when
-- the party is deleted (deleted_at set). A delete of an id nobody has used
-- writes it here as deleted, so that a create with that id (X-Party-Id)
-- arriving late, after its caller gave up and deleted it, is refused. Both
-- write this row first, which orders a create and a delete of one id.
CREATE TABLE party_ids (
    id TEXT PRIMARY KEY NOT NULL,
    deleted_at TEXT
);
INSERT INTO party_ids (id) SELECT id FROM parties;
