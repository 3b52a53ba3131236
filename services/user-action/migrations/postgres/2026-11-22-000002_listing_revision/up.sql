-- An application's revision changes with every write to what getUserActions
-- shows (its applicants and its actions), so a listing rendered at one
-- revision can be served again until the next. Triggers rather than code:
-- no write path, present or future, can forget to bump it, and every
-- replica sees the same number.
ALTER TABLE applications ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION revise_application() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE applications SET revision = revision + 1 WHERE id = OLD.application_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.application_id <> OLD.application_id) THEN
        UPDATE applications SET revision = revision + 1 WHERE id = NEW.application_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER applicants_revise AFTER INSERT OR UPDATE OR DELETE ON applicants
    FOR EACH ROW EXECUTE FUNCTION revise_application();
CREATE TRIGGER user_actions_revise AFTER INSERT OR UPDATE OR DELETE ON user_actions
    FOR EACH ROW EXECUTE FUNCTION revise_application();
