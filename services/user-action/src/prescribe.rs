//! Which user actions the catalog prescribes for an application and its
//! applicants.

use crate::catalog::{Catalog, Level};
use crate::rows::{ActionRow, ApplicantRow};

/// The main applicant's type.
pub const MAIN: &str = "Applicant";

/// The actions the catalog prescribes (pre-requirements or the others) for
/// `applicants` of `application_id`, as new rows. The caller keeps those
/// whose identifier does not exist yet.
pub fn prescribed(
    catalog: &Catalog,
    application_id: &str,
    applicants: &[ApplicantRow],
    pre: bool,
    now: &str,
) -> Vec<ActionRow> {
    let Some(main) = applicants.iter().find(|a| a.applicant_type == MAIN) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (position, definition) in catalog.definitions().iter().enumerate() {
        if definition.pre_requirement != pre {
            continue;
        }
        let concerned: Vec<&ApplicantRow> = match definition.level {
            Level::Applicant => applicants
                .iter()
                .filter(|a| definition.applies_to.contains(&a.applicant_type))
                .collect(),
            Level::Application | Level::Entity => vec![main],
        };
        for applicant in concerned {
            rows.push(ActionRow {
                id: domain::ids::new_user_action_id(),
                identifier: format!(
                    "{}_{}_{}",
                    definition.name, applicant.party_id, application_id
                ),
                application_id: application_id.to_owned(),
                name: definition.name.clone(),
                party_id: applicant.party_id.clone(),
                entity_id: applicant.entity_id.clone(),
                status: "Created".to_owned(),
                response: String::new(),
                sealed: false,
                review_comment: None,
                is_pre_requirement: pre,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                last_update_id: None,
                version: 1,
                created_at: now.to_owned(),
                updated_at: now.to_owned(),
            });
        }
    }
    rows
}
