-- An application's revision changes with every write to what getUserActions
-- shows (its applicants and its actions), so a listing rendered at one
-- revision can be served again until the next. Triggers rather than code:
-- no write path, present or future, can forget to bump it, and every
-- replica sees the same number.
ALTER TABLE applications ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER applicants_revise_on_insert AFTER INSERT ON applicants BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER applicants_revise_on_update AFTER UPDATE ON applicants BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER applicants_revise_on_delete AFTER DELETE ON applicants BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id = OLD.application_id;
END;
CREATE TRIGGER user_actions_revise_on_insert AFTER INSERT ON user_actions BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER user_actions_revise_on_update AFTER UPDATE ON user_actions BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER user_actions_revise_on_delete AFTER DELETE ON user_actions BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id = OLD.application_id;
END;
