-- A customer's names, date of birth, address lines, phone numbers, emails,
-- account ids, employer, source of wealth, credit rating and amounts, and
-- an event entity's name, are sealed by the service (AES-256-GCM, see
-- service_kit::keyring), each bound to its table, column and row. The
-- amount columns already hold text on SQLite, so nothing changes here (the
-- PostgreSQL migration of the same name makes them TEXT); rows written
-- before hold plaintext, which the service seals when it starts.
SELECT 1;
