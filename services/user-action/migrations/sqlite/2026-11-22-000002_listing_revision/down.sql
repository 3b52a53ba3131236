DROP TRIGGER user_actions_revise_on_delete;
DROP TRIGGER user_actions_revise_on_update;
DROP TRIGGER user_actions_revise_on_insert;
DROP TRIGGER applicants_revise_on_delete;
DROP TRIGGER applicants_revise_on_update;
DROP TRIGGER applicants_revise_on_insert;
ALTER TABLE applications DROP COLUMN revision;
