//! Two replicas of one service on one PostgreSQL database, as Kubernetes
//! runs them: two processes of `onboarding serve party` (the real binary)
//! start at once on an empty database (migrations take an advisory lock),
//! then take concurrent creates and PATCHes through both. No write is lost
//! or duplicated, and both replicas answer the same.
//!
//! PostgreSQL only (SQLite is a single-host file): skipped with a note
//! without a server, failed with `REQUIRE_POSTGRES=1`.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use support::process::{separate_process_env, ServiceProcess};
use testkit::Backend;

const CREDENTIAL: &str = "replica-test-internal-credential-0123";
const CREATES: usize = 200;
/// How many of the first creates are then patched, twice each at once.
const PATCHED: usize = 60;

/// One `onboarding serve party` process (stopped with SIGTERM when
/// dropped), with its own data directory.
struct Replica {
    process: ServiceProcess,
    _data_dir: tempfile::TempDir,
}

impl Replica {
    /// Starts a replica on `database_url` without waiting for it.
    fn spawn(database_url: &str) -> Self {
        let data_dir = tempfile::tempdir().expect("a data directory");
        let mut env = separate_process_env(data_dir.path(), CREDENTIAL);
        env.push(("PARTY_DATABASE_URL".into(), database_url.to_owned()));
        Self {
            process: ServiceProcess::start("party", &env, data_dir.path()),
            _data_dir: data_dir,
        }
    }
}

/// Sends a request with the internal credential; the status and JSON body.
async fn call(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    testkit::call(request.header("X-Service-Credential", CREDENTIAL)).await
}

fn person(i: usize) -> Value {
    json!({"kind": "person", "firstName": "Replica", "lastName": format!("Load{i:03}"), "dateOfBirth": "1985-10-10"})
}

/// Every party a replica lists, page by page.
async fn list_all(http: &reqwest::Client, base: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/party/v1/parties?limit=100");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let (status, page) = call(http.get(url)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return all,
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Applied {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// The migrations applied to `database_url`, as diesel records them.
fn applied_migrations(database_url: &str) -> Vec<String> {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::pg::PgConnection::establish(database_url).expect("connect");
    diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
        .load::<Applied>(&mut conn)
        .expect("the migrations table")
        .into_iter()
        .map(|m| m.version)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_database_lose_and_duplicate_nothing() {
    if !Backend::postgres_available() {
        return;
    }
    let admin = testkit::postgres::server_url().expect("a server");
    let database_url = testkit::postgres::create_database(admin);
    let http = reqwest::Client::new();

    // Both start at once on the empty database: both migrate, one waits on
    // the other's advisory lock, both come up.
    let mut replicas = [Replica::spawn(&database_url), Replica::spawn(&database_url)];
    for replica in &mut replicas {
        replica.process.wait_until_ready(&http).await;
    }
    let shipped = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/services/party/migrations/postgres"
    ))
    .expect("party's migrations")
    .count();
    let applied = applied_migrations(&database_url);
    assert_eq!(
        applied.len(),
        shipped,
        "each migration applied once: {applied:?}"
    );
    let urls: Vec<String> = replicas.iter().map(|r| r.process.url()).collect();

    // The first half of the creates, alternating between the replicas.
    let create = |i: usize| {
        let (http, base) = (http.clone(), urls[i % 2].clone());
        tokio::spawn(async move {
            call(
                http.post(format!("{base}/party/v1/parties"))
                    .json(&person(i)),
            )
            .await
        })
    };
    let mut created: BTreeMap<String, Value> = BTreeMap::new();
    let mut first: Vec<String> = Vec::new();
    let handles: Vec<_> = (0..CREATES / 2).map(create).collect();
    for handle in handles {
        let (status, body) = handle.await.expect("a create");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().expect("an id").to_owned();
        first.push(id.clone());
        assert!(
            created.insert(id.clone(), body).is_none(),
            "id {id} handed out twice"
        );
    }

    // The second half, while PATCHes of the first creates run: each of
    // those gets two merge patches at once, of different fields, one
    // through each replica. Neither may be lost.
    let handles: Vec<_> = (CREATES / 2..CREATES).map(create).collect();
    let patch = |id: &str, replica: usize, patch: Value| {
        let (http, url) = (
            http.clone(),
            format!("{}/party/v1/parties/{id}", urls[replica]),
        );
        tokio::spawn(async move {
            call(
                http.patch(url)
                    .header("Content-Type", "application/merge-patch+json")
                    .body(patch.to_string()),
            )
            .await
        })
    };
    let patches: Vec<_> = first[..PATCHED]
        .iter()
        .map(|id| {
            (
                id.clone(),
                patch(id, 0, json!({"nationality": "IN"})),
                patch(id, 1, json!({"middleName": "Patched"})),
            )
        })
        .collect();
    for handle in handles {
        let (status, body) = handle.await.expect("a create");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().expect("an id").to_owned();
        assert!(
            created.insert(id.clone(), body).is_none(),
            "id {id} handed out twice"
        );
    }
    assert_eq!(created.len(), CREATES);
    for (id, a, b) in patches {
        let (a, b) = (a.await.expect("a patch"), b.await.expect("a patch"));
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{id}");
        // The later of the two answers is the party with both changes.
        let last = if a.1["updatedAt"].as_str() > b.1["updatedAt"].as_str() {
            a.1
        } else {
            b.1
        };
        assert_eq!(
            (&last["nationality"], &last["middleName"]),
            (&json!("IN"), &json!("Patched")),
            "{id}: a concurrent patch was lost: {last}"
        );
        let mut expected = created[&id].clone();
        expected["nationality"] = json!("IN");
        expected["middleName"] = json!("Patched");
        expected["updatedAt"] = last["updatedAt"].clone();
        assert_eq!(last, expected, "{id}: only the patched fields changed");
        created.insert(id, last);
    }

    // Every write is there, once, the same through either replica.
    for (id, expected) in &created {
        for url in &urls {
            let (status, body) = call(http.get(format!("{url}/party/v1/parties/{id}"))).await;
            assert_eq!(
                (status, &body),
                (StatusCode::OK, expected),
                "{id} via {url}"
            );
        }
    }
    for url in &urls {
        let listed = list_all(&http, url).await;
        let ids: Vec<&str> = listed
            .iter()
            .map(|p| p["id"].as_str().expect("an id"))
            .collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "no party listed twice via {url}");
        assert_eq!(
            unique,
            created.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            "the list via {url} is exactly the created set"
        );
        let bodies: BTreeMap<&str, &Value> = ids.iter().copied().zip(listed.iter()).collect();
        for (id, expected) in &created {
            assert_eq!(bodies[id.as_str()], expected, "{id} listed via {url}");
        }
    }

    for replica in &replicas {
        let log = replica.process.log();
        assert!(
            !log.contains("\"level\":\"ERROR\""),
            "no errors logged:\n{log}"
        );
    }
    drop(replicas);
    testkit::postgres::drop_database(admin, &database_url);
}
