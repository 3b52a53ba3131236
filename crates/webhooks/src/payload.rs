//! The body of a webhook, Standard Webhooks' envelope:
//! `{"type": kind, "timestamp": when it happened, "data": {...}}`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// The largest body sent, in bytes; Standard Webhooks suggests keeping
/// payloads under 20 kB, and a receiver should never be handed megabytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: &'a Value,
}

/// The body of the event `kind` that happened at `occurred_at`, minified:
/// exactly these bytes are signed and sent. The timestamp is the event's
/// (RFC 3339, UTC, milliseconds), the same on every attempt. `data`'s keys
/// are written sorted, as receivers have always had them (the workspace's
/// serde_json keeps insertion order).
pub fn envelope(kind: &str, occurred_at: DateTime<Utc>, data: &Value) -> Vec<u8> {
    let mut data = data.clone();
    data.sort_all_objects();
    serde_json::to_vec(&Envelope {
        kind,
        timestamp: occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        data: &data,
    })
    .expect("a JSON value serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_envelope() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 30, 5).unwrap();
        let body = envelope(
            "application.approved",
            at,
            &serde_json::json!({"applicationId": "A1", "status": "Approved"}),
        );
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"type":"application.approved","timestamp":"2026-12-07T09:30:05.000Z","data":{"applicationId":"A1","status":"Approved"}}"#
        );
    }
}
