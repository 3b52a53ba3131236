//! The audit trail keeps what each change added or removed, whole: a
//! record as getCaseDetails showed it.

use crate::description::audited;
use serde_json::Value;
use testkit::TestApp;

/// The entries of `case_id`'s trail of `action` (without their id and
/// time, as [`audited`]), a customer's, record's or event's values read
/// as the JSON they are; a narrative's is its text.
pub async fn audited_json(app: &TestApp, case_id: &str, action: &str) -> Vec<Value> {
    let mut entries = audited(app, case_id, action).await;
    for entry in entries
        .iter_mut()
        .filter(|e| e["action"] != "narrativeAdded")
    {
        for key in ["oldValue", "newValue"] {
            if let Some(text) = entry[key].as_str() {
                entry[key] = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{key} is not JSON ({e}): {text}"));
            }
        }
    }
    entries
}
