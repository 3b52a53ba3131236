DROP TRIGGER user_actions_revise ON user_actions;
DROP TRIGGER applicants_revise ON applicants;
DROP FUNCTION revise_application();
ALTER TABLE applications DROP COLUMN revision;
