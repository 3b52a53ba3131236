//! The case screens' configuration: where case-service is, and the labels
//! of the event risk decisions the bank uses.

use envconfig::Envconfig;
use service_kit::{load_config, ConfigError};
use std::collections::HashMap;

/// The case screens' variables, from the environment.
#[derive(Debug, Clone, Envconfig)]
pub struct CasesConfig {
    /// case-service's internal API (this process when unset).
    #[envconfig(from = "CASE_SERVICE_URL")]
    pub case_service_url: Option<String>,
    /// The event risk decisions offered, `code:label` comma-separated
    /// (`1:False positive,2:Escalate`): codes 0 to 999999999, each once,
    /// labels 1 to 80 characters.
    #[envconfig(
        from = "CONSOLE_EVENT_DECISIONS",
        default = "1:False positive,2:Escalate,3:True positive"
    )]
    pub event_decisions: String,
}

/// An event risk decision the screens offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDecisionLabel {
    /// Its code, as `updateEventRiskDecision` takes it.
    pub code: u32,
    /// What the case worker reads.
    pub label: String,
}

impl CasesConfig {
    /// Loads the variables from `vars` (the environment when `None`),
    /// checked.
    pub fn load(
        vars: Option<&HashMap<String, String>>,
    ) -> Result<(Self, Vec<EventDecisionLabel>), ConfigError> {
        let config: Self = load_config(vars)?;
        let decisions = parse_decisions(&config.event_decisions)
            .map_err(|why| ConfigError::invalid("CONSOLE_EVENT_DECISIONS", why))?;
        Ok((config, decisions))
    }
}

/// `code:label,...` as decisions, or why not.
fn parse_decisions(text: &str) -> Result<Vec<EventDecisionLabel>, String> {
    let mut decisions: Vec<EventDecisionLabel> = Vec::new();
    for entry in text.split(',') {
        let (code, label) = entry
            .split_once(':')
            .ok_or_else(|| format!("({entry}) must be code:label, comma-separated"))?;
        let code: u32 = code
            .trim()
            .parse()
            .ok()
            .filter(|c| *c <= 999_999_999)
            .ok_or_else(|| format!("({entry}) must start with a code from 0 to 999999999"))?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 || label.chars().any(char::is_control) {
            return Err(format!("({entry}) must have a label of 1 to 80 characters"));
        }
        if decisions.iter().any(|d| d.code == code) {
            return Err(format!("names code {code} twice"));
        }
        decisions.push(EventDecisionLabel {
            code,
            label: label.to_owned(),
        });
    }
    Ok(decisions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_codes_and_labels() {
        let vars = HashMap::new();
        let (config, parsed) = CasesConfig::load(Some(&vars)).unwrap();
        assert_eq!(
            config.event_decisions,
            "1:False positive,2:Escalate,3:True positive"
        );
        assert_eq!(
            parsed
                .iter()
                .map(|d| (d.code, d.label.as_str()))
                .collect::<Vec<_>>(),
            [(1, "False positive"), (2, "Escalate"), (3, "True positive")]
        );
        for bad in ["", "1", "x:Label", "1:", "1:a,1:b", "1000000000:Big"] {
            assert!(parse_decisions(bad).is_err(), "{bad}");
        }
    }
}
