//! How actions are shown to clients: serialized straight from the rows and
//! the catalog's pre-serialized `ActionMetaData`, grouped under `Group`.
//! (Building `serde_json::Value` trees for this dominated getUserActions'
//! cost, so the shapes are written by hand here.)

use crate::catalog::{Catalog, Definition, Level};
use crate::rows::{ActionRow, ApplicantRow};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Which operation's shape to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// getUserActions: `ActionMetaData` carries `CategoryMetadata` and
    /// `DynamicData`; items carry `PartyId` and `ProductId`.
    Listed,
    /// createPreRequirements: items carry `appliesTo`, `appliesToId` and
    /// `DynamicData`.
    Created,
}

/// One action, with what it is shown with.
struct Item<'a> {
    style: Style,
    definition: &'a Definition,
    action: &'a ActionRow,
    applicant: Option<&'a ApplicantRow>,
}

/// The actions grouped under their `Group`, in a success envelope.
pub struct Groups<'a> {
    groups: Vec<(&'a str, Vec<Item<'a>>)>,
    count: usize,
    id: Option<&'a str>,
    application: Option<(&'a str, &'a str, bool)>,
}

/// Groups `actions` (catalog order, main applicant first). Actions whose
/// definition left the catalog stay stored but are not shown.
pub fn grouped<'a>(
    catalog: &'a Catalog,
    actions: &'a [ActionRow],
    applicants: &'a [ApplicantRow],
    style: Style,
) -> Groups<'a> {
    let rank = |a: &ActionRow| {
        applicants
            .iter()
            .position(|p| p.entity_id == a.entity_id)
            .unwrap_or(usize::MAX)
    };
    let mut ordered: Vec<&ActionRow> = actions.iter().collect();
    ordered.sort_by_key(|a| (a.position, rank(a)));
    let mut groups: Vec<(&str, Vec<Item>)> = Vec::new();
    let mut count = 0;
    for action in ordered {
        let Some((_, definition)) = catalog.get(&action.name) else {
            continue;
        };
        let item = Item {
            style,
            definition,
            action,
            applicant: applicants.iter().find(|a| a.entity_id == action.entity_id),
        };
        match groups
            .iter_mut()
            .find(|(name, _)| *name == definition.group)
        {
            Some((_, items)) => items.push(item),
            None => groups.push((&definition.group, vec![item])),
        }
        count += 1;
    }
    Groups {
        groups,
        count,
        id: None,
        application: None,
    }
}

impl<'a> Groups<'a> {
    /// Adds the application id (createPreRequirements' `id`).
    pub fn with_id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    /// Adds the application and its status (getUserActions'
    /// `Application_id` and `ApplicationStatus`, SPEC §D), and whether its
    /// case waits on the customer (`PendingWithCustomer`, written only
    /// when it does).
    pub fn with_application(mut self, id: &'a str, status: &'a str, pending: bool) -> Self {
        self.application = Some((id, status, pending));
        self
    }
}

impl Serialize for Groups<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (name, items) in &self.groups {
            map.serialize_entry(name, &Seq(items))?;
        }
        map.serialize_entry("count", &self.count)?;
        if let Some(id) = self.id {
            map.serialize_entry("id", id)?;
        }
        if let Some((id, status, pending)) = self.application {
            map.serialize_entry("Application_id", id)?;
            map.serialize_entry("ApplicationStatus", status)?;
            if pending {
                map.serialize_entry("PendingWithCustomer", &true)?;
            }
        }
        map.serialize_entry("opstatus", &0)?;
        map.serialize_entry("httpStatusCode", &200)?;
        map.end()
    }
}

struct Seq<'a, 'b>(&'b [Item<'a>]);

impl Serialize for Seq<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

/// `{"FirstName", "LastName"}` of an applicant.
struct Names<'a>(&'a ApplicantRow);

impl Serialize for Names<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("FirstName", &self.0.first_name)?;
        map.serialize_entry("LastName", &self.0.last_name)?;
        map.end()
    }
}

/// `ActionMetaData`: the catalog's, plus (for getUserActions) the
/// action's `CategoryMetadata` and, for actions about a person, `DynamicData`.
struct Metadata<'a, 'b>(&'b Item<'a>);

impl Serialize for Metadata<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let item = self.0;
        let mut map = s.serialize_map(None)?;
        for (key, value) in &item.definition.metadata {
            map.serialize_entry(key, value)?;
        }
        if item.style == Style::Listed {
            let level = item.definition.level;
            let identifier = match level {
                Level::Application => &item.action.application_id,
                Level::Applicant => &item.action.party_id,
                Level::Entity => &item.action.entity_id,
            };
            map.serialize_entry(
                "CategoryMetadata",
                &Category {
                    identifier,
                    kind: level.as_str(),
                },
            )?;
            if level != Level::Application {
                if let Some(applicant) = item.applicant {
                    map.serialize_entry("DynamicData", &Names(applicant))?;
                }
            }
            if let Some(comment) = &item.action.review_comment {
                map.serialize_entry("ReviewComment", comment)?;
            }
        }
        map.end()
    }
}

struct Category<'a> {
    identifier: &'a str,
    kind: &'a str,
}

impl Serialize for Category<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("identifier", self.identifier)?;
        map.serialize_entry("type", self.kind)?;
        map.end()
    }
}

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let action = self.action;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("UserActionName", &action.name)?;
        map.serialize_entry("UserActionId", &action.id)?;
        map.serialize_entry("UserActionStatus", &action.status)?;
        if self.style == Style::Listed {
            map.serialize_entry("PartyId", &action.party_id)?;
        }
        map.serialize_entry("ActionMetaData", &Metadata(self))?;
        map.serialize_entry("UserActionIdentifier", &action.identifier)?;
        match self.style {
            Style::Listed => map.serialize_entry("ProductId", &self.definition.product_id)?,
            Style::Created => {
                map.serialize_entry(
                    "appliesTo",
                    self.applicant.map_or("", |a| a.first_name.as_str()),
                )?;
                map.serialize_entry("appliesToId", &action.party_id)?;
                if let Some(applicant) = self.applicant {
                    map.serialize_entry("DynamicData", &Names(applicant))?;
                }
            }
        }
        map.end()
    }
}
