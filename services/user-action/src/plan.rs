//! Which user actions the catalog prescribes for an application and its
//! applicants, and how each is shown to clients.

use crate::catalog::{Catalog, Definition, Level};
use crate::rows::{ActionRow, ApplicantRow};
use serde_json::{json, Map, Value};

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

fn dynamic_data(applicant: &ApplicantRow) -> Value {
    json!({"FirstName": applicant.first_name, "LastName": applicant.last_name})
}

/// `ActionMetaData` as getUserActions shows it: the catalog's, plus
/// `CategoryMetadata` and, for actions about a person, `DynamicData`.
fn metadata_with_context(
    definition: &Definition,
    action: &ActionRow,
    applicant: Option<&ApplicantRow>,
) -> Map<String, Value> {
    let mut metadata = definition.metadata.clone();
    let identifier = match definition.level {
        Level::Application => action.application_id.clone(),
        Level::Applicant => action.party_id.clone(),
        Level::Entity => action.entity_id.clone(),
    };
    metadata.insert(
        "CategoryMetadata".into(),
        json!({"identifier": identifier, "type": definition.level.as_str()}),
    );
    if definition.level != Level::Application {
        if let Some(applicant) = applicant {
            metadata.insert("DynamicData".into(), dynamic_data(applicant));
        }
    }
    metadata
}

/// One action as getUserActions lists it (the seed's shape, plus `UserActionId`).
pub fn listed(
    definition: &Definition,
    action: &ActionRow,
    applicant: Option<&ApplicantRow>,
) -> Value {
    json!({
        "UserActionName": action.name,
        "UserActionId": action.id,
        "UserActionStatus": action.status,
        "PartyId": action.party_id,
        "ActionMetaData": metadata_with_context(definition, action, applicant),
        "UserActionIdentifier": action.identifier,
        "ProductId": definition.product_id,
    })
}

/// One action as createPreRequirements answers it (the seed's shape).
pub fn created(
    definition: &Definition,
    action: &ActionRow,
    applicant: Option<&ApplicantRow>,
) -> Value {
    let mut item = json!({
        "UserActionName": action.name,
        "UserActionId": action.id,
        "UserActionStatus": action.status,
        "ActionMetaData": definition.metadata,
        "UserActionIdentifier": action.identifier,
        "appliesTo": applicant.map(|a| a.first_name.clone()).unwrap_or_default(),
        "appliesToId": action.party_id,
    });
    if let Some(applicant) = applicant {
        item["DynamicData"] = dynamic_data(applicant);
    }
    item
}

/// Groups rendered actions under their `Group`, with `count`.
pub fn grouped<'a>(
    catalog: &Catalog,
    actions: impl IntoIterator<Item = &'a ActionRow>,
    applicants: &[ApplicantRow],
    render: fn(&Definition, &ActionRow, Option<&ApplicantRow>) -> Value,
) -> Map<String, Value> {
    let mut groups: Map<String, Value> = Map::new();
    let mut count = 0;
    // Catalog order, then applicant order (main applicant first).
    let rank = |a: &ActionRow| {
        applicants
            .iter()
            .position(|p| p.entity_id == a.entity_id)
            .unwrap_or(usize::MAX)
    };
    let mut actions: Vec<&ActionRow> = actions.into_iter().collect();
    actions.sort_by_key(|a| (a.position, rank(a)));
    for action in actions {
        let Some((_, definition)) = catalog.get(&action.name) else {
            // A definition removed from the catalog: its actions stay stored
            // but are no longer shown.
            continue;
        };
        let applicant = applicants.iter().find(|a| a.entity_id == action.entity_id);
        let group = groups
            .entry(definition.group.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = group {
            items.push(render(definition, action, applicant));
            count += 1;
        }
    }
    groups.insert("count".into(), json!(count));
    groups
}
