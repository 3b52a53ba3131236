//! Every sending service creates the outbox's delivery table in the one
//! shape this crate reads (its migrations are its own, so each has a
//! copy): the copies must not drift.

use std::path::Path;

/// The statements of a migration, without its comments.
fn statements(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| line.split("--").next().unwrap_or_default().trim_end())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_service_creates_the_same_delivery_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for backend in ["sqlite", "postgres"] {
        let copies: Vec<(String, String)> = [
            "user-action/migrations/BACKEND/2026-12-07-000002_outbox_deliveries",
            "case/migrations/BACKEND/2026-12-07-000004_outbox_deliveries",
        ]
        .iter()
        .map(|dir| {
            let dir = root.join("services").join(dir.replace("BACKEND", backend));
            let up = dir.join("up.sql");
            (up.display().to_string(), statements(&up))
        })
        .collect();
        assert_eq!(
            copies[0].1, copies[1].1,
            "{} and {} differ",
            copies[0].0, copies[1].0
        );
    }
}
