//! The action catalog: which user actions each application and applicant
//! gets, and how they are described. A JSON file a bank edits without
//! recompiling (`USER_ACTION_CATALOG_FILE`); the seed's four definitions
//! are the default.
//!
//! Each definition's `ActionMetaData` is sent to clients as written, plus
//! the per-action `CategoryMetadata` and `DynamicData`.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The default catalog: the seed's four definitions.
pub const DEFAULT: &str = include_str!("../catalog/default.json");

/// At which level an action applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One per applicant (of the types in `AppliesTo`).
    Applicant,
    /// One per application.
    Application,
    /// One per application, about the main applicant as an entity.
    Entity,
}

impl Level {
    /// The level as written in the catalog and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "Applicant",
            Self::Application => "Application",
            Self::Entity => "Entity",
        }
    }
}

/// One action definition.
#[derive(Debug, Clone)]
pub struct Definition {
    /// `UserActionName`: letters and digits (it is part of identifiers).
    pub name: String,
    /// `ProductId`.
    pub product_id: String,
    /// The applicant types it applies to (`Applicant`, `CoApplicant`).
    pub applies_to: Vec<String>,
    /// `ActionMetaData`, as written, each value serialized once at load.
    pub metadata: Vec<(String, Box<RawValue>)>,
    /// `ActionMetaData.Group`.
    pub group: String,
    /// `ActionMetaData.ActionLevel`.
    pub level: Level,
    /// `ActionMetaData.UserActionType`.
    pub action_type: String,
    /// `ActionMetaData.Skippable == "true"`.
    pub skippable: bool,
    /// `ActionMetaData.NeedsReview == "true"`.
    pub needs_review: bool,
    /// `ActionMetaData.isPreRequirement == "true"`.
    pub pre_requirement: bool,
}

/// The whole catalog, in file order (which is also listing order).
#[derive(Debug, Clone)]
pub struct Catalog {
    definitions: Vec<Definition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    actions: Vec<RawDefinition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    #[serde(rename = "UserActionName")]
    name: String,
    #[serde(rename = "ProductId", default = "all_products")]
    product_id: String,
    #[serde(rename = "AppliesTo", default = "main_applicant")]
    applies_to: Vec<String>,
    #[serde(rename = "ActionMetaData")]
    metadata: Map<String, Value>,
}

fn all_products() -> String {
    "ALL".to_owned()
}

fn main_applicant() -> Vec<String> {
    vec!["Applicant".to_owned()]
}

impl Catalog {
    /// Parses and checks a catalog; the error names the definition and key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut definitions: Vec<Definition> = Vec::new();
        for raw in file.actions {
            let definition = Self::check(raw)?;
            if definitions.iter().any(|d| d.name == definition.name) {
                return Err(format!("{}: defined twice", definition.name));
            }
            definitions.push(definition);
        }
        if definitions.is_empty() {
            return Err("defines no actions".to_owned());
        }
        Ok(Self { definitions })
    }

    fn check(raw: RawDefinition) -> Result<Definition, String> {
        let name = raw.name;
        if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "{name}: UserActionName must be 1 to 64 letters and digits"
            ));
        }
        let text = |key: &str| -> Result<String, String> {
            raw.metadata
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{name}: ActionMetaData.{key} must be a string"))
        };
        let flag = |key: &str| -> Result<bool, String> {
            match text(key)?.as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(format!(
                    "{name}: ActionMetaData.{key} must be \"true\" or \"false\""
                )),
            }
        };
        let level = match text("ActionLevel")?.as_str() {
            "Applicant" => Level::Applicant,
            "Application" => Level::Application,
            "Entity" => Level::Entity,
            other => return Err(format!("{name}: ActionMetaData.ActionLevel {other} is not Applicant, Application or Entity")),
        };
        for applicant_type in &raw.applies_to {
            if applicant_type != "Applicant" && applicant_type != "CoApplicant" {
                return Err(format!(
                    "{name}: AppliesTo {applicant_type} is not Applicant or CoApplicant"
                ));
            }
        }
        text("Title")?;
        // In sorted order, as clients have always read it, whatever order
        // the catalog file lists it in.
        let mut entries: Vec<_> = raw.metadata.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let metadata = entries
            .into_iter()
            .map(|(key, value)| Ok((key.clone(), serde_json::value::to_raw_value(value)?)))
            .collect::<Result<_, serde_json::Error>>()
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(Definition {
            group: text("Group")?,
            action_type: text("UserActionType")?,
            skippable: flag("Skippable")?,
            needs_review: flag("NeedsReview")?,
            pre_requirement: flag("isPreRequirement")?,
            level,
            name,
            product_id: raw.product_id,
            applies_to: raw.applies_to,
            metadata,
        })
    }

    /// Loads the catalog from `path`, or the default.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self, String> {
        match path {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| format!("cannot be read: {e}"))?;
                Self::parse(&text)
            }
            None => Self::parse(DEFAULT),
        }
    }

    /// Every definition, in order.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// The definition named `name`, with its position.
    pub fn get(&self, name: &str) -> Option<(usize, &Definition)> {
        self.definitions
            .iter()
            .enumerate()
            .find(|(_, d)| d.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_seeds_four() {
        let catalog = Catalog::load(None).expect("default catalog");
        let names: Vec<_> = catalog
            .definitions()
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "ProofOfIncomeEmployed",
                "DriverLicense",
                "OptionalQuestion",
                "TimeOnCurrentAddress"
            ]
        );
        let optional = catalog.get("OptionalQuestion").expect("defined").1;
        assert_eq!(
            (optional.level, optional.skippable, optional.group.as_str()),
            (Level::Application, true, "Documents")
        );
    }

    #[test]
    fn bad_definitions_are_named() {
        let bad = |metadata: &str| {
            Catalog::parse(&format!(
                r#"{{"actions":[{{"UserActionName":"A1","ActionMetaData":{metadata}}}]}}"#
            ))
        };
        assert_eq!(
            bad(r#"{"Group":"G","Title":"T","ActionLevel":"Planet","UserActionType":"Text","Skippable":"false","NeedsReview":"false","isPreRequirement":"true"}"#).unwrap_err(),
            "A1: ActionMetaData.ActionLevel Planet is not Applicant, Application or Entity"
        );
        assert_eq!(
            bad(r#"{"Group":"G","Title":"T","ActionLevel":"Applicant","UserActionType":"Text","Skippable":"yes","NeedsReview":"false","isPreRequirement":"true"}"#).unwrap_err(),
            "A1: ActionMetaData.Skippable must be \"true\" or \"false\""
        );
        assert!(Catalog::parse(
            r#"{"actions":[{"UserActionName":"Bad_Name","ActionMetaData":{}}]}"#
        )
        .is_err());
    }
}
