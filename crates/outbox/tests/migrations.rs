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

/// Each migration of the delivery table: user-action's, case-service's.
const COPIES: [[&str; 2]; 2] = [
    [
        "user-action/migrations/BACKEND/2026-12-07-000002_outbox_deliveries",
        "case/migrations/BACKEND/2026-12-07-000004_outbox_deliveries",
    ],
    [
        "user-action/migrations/BACKEND/2026-12-07-000004_outbox_ready_index",
        "case/migrations/BACKEND/2026-12-07-000005_outbox_ready_index",
    ],
];

#[test]
fn every_service_creates_the_same_delivery_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for backend in ["sqlite", "postgres"] {
        for pair in COPIES {
            let copies: Vec<(String, String)> = pair
                .iter()
                .flat_map(|dir| ["up.sql", "down.sql"].map(|file| (dir, file)))
                .map(|(dir, file)| {
                    let dir = root.join("services").join(dir.replace("BACKEND", backend));
                    let path = dir.join(file);
                    (path.display().to_string(), statements(&path))
                })
                .collect();
            // user-action's up and down against case-service's.
            for (mine, theirs) in [(0, 2), (1, 3)] {
                assert_eq!(
                    copies[mine].1, copies[theirs].1,
                    "{} and {} differ",
                    copies[mine].0, copies[theirs].0
                );
            }
        }
    }
}
