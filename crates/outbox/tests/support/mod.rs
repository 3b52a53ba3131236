//! What the delivery tests share: a bare service over user-action's real
//! migrations (the `outbox` and `outbox_deliveries` tables) that runs the
//! dispatcher and mounts the delivery log, a destination that POSTs to a
//! real HTTP receiver, and ways to write events and wait for deliveries.
#![allow(dead_code)]

use diesel::connection::SimpleConnection;
use outbox::{BoxFuture, DeliveryError, Destination, Outbox, OutboxEvent, Settings, Waker};
use service_kit::db::{diesel_migrations, DatabaseUrl, Migrations};
use service_kit::server::{internal_scope, Context};
use service_kit::{Database, Service};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::{Backend, TestApp};

/// user-action's migrations: the tables in the shape every sender has.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: diesel_migrations::embed_migrations!("../../services/user-action/migrations/sqlite"),
    postgres: diesel_migrations::embed_migrations!(
        "../../services/user-action/migrations/postgres"
    ),
};

/// The test service's name (its database variable follows it).
pub const SERVICE: &str = "sender";

/// Where it mounts the delivery log.
pub const BASE: &str = "/sender/v1";

/// A destination that POSTs `{id, seq, kind, aggregate}` to `url` with
/// the current request id as `X-Request-Id`, as an internal client does.
pub struct Http {
    pub name: String,
    pub url: String,
    pub gives_up: bool,
    pub client: reqwest::Client,
}

impl Http {
    pub fn to(name: &str, url: String, gives_up: bool) -> Arc<dyn Destination> {
        Arc::new(Self {
            name: name.to_owned(),
            url,
            gives_up,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("a client"),
        })
    }
}

impl Destination for Http {
    fn name(&self) -> &str {
        &self.name
    }

    fn family(&self) -> &'static str {
        "test"
    }

    fn wants(&self, kind: &str) -> bool {
        kind != "unwanted"
    }

    fn gives_up(&self) -> bool {
        self.gives_up
    }

    fn deliver<'a>(&'a self, event: &'a OutboxEvent) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut request = self.client.post(&self.url).json(&serde_json::json!({
                "id": event.id, "seq": event.seq, "kind": event.kind, "aggregate": event.aggregate_id,
            }));
            // As service_kit's client does: the id of the request being
            // served, which the dispatcher sets to the event's.
            if let Some(id) = service_kit::observe::current_request_id() {
                request = request.header("X-Request-Id", id);
            }
            let answer = request
                .send()
                .await
                .map_err(|_| DeliveryError::retryable("connect"))?;
            if answer.status().is_success() {
                Ok(())
            } else {
                Err(DeliveryError::from_status(answer.status().as_u16()))
            }
        })
    }
}

/// Settings quick enough for tests.
pub fn quick() -> Settings {
    Settings {
        poll_interval: Duration::from_millis(200),
        concurrency: 16,
        lease: Duration::from_secs(30),
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        retry_window: Duration::from_secs(3600),
    }
}

/// The app under test, its dispatcher's waker, and its database's URL.
pub struct Sender {
    pub app: TestApp,
    pub waker: Waker,
    pub url: String,
}

/// Starts the test service on `backend` with `destinations` and
/// `settings`.
pub async fn start(
    backend: Backend,
    destinations: Vec<Arc<dyn Destination>>,
    settings: Settings,
) -> Sender {
    let waker: Arc<Mutex<Option<Waker>>> = Arc::default();
    let slot = waker.clone();
    let build = move |_: &Context, vars: &HashMap<String, String>| {
        let db = open(&vars[&service_kit::db::url_variable(SERVICE)]);
        let outbox = Outbox::new(SERVICE, db.clone(), destinations.clone(), settings.clone())?;
        *slot.lock().expect("the slot") = Some(outbox.waker());
        let log = outbox.log();
        let running = outbox.start();
        let service = Service::new(
            SERVICE,
            utoipa::openapi::OpenApi::default(),
            db,
            move |cfg| {
                let log = log.clone();
                cfg.service(internal_scope(BASE).configure(|cfg| outbox::api::register(cfg, log)));
            },
        )
        .on_stop(move || {
            let running = running.clone();
            async move { running.stop().await }
        });
        Ok(vec![service])
    };
    let app = TestApp::spawn(backend, &[SERVICE], &[], &build).await;
    let url = app.vars[&service_kit::db::url_variable(SERVICE)].clone();
    let waker = waker.lock().expect("the slot").clone().expect("built");
    Sender { app, waker, url }
}

/// Opens the database at `url`, migrated.
pub fn open(url: &str) -> Database {
    let url = DatabaseUrl::parse(url).expect("a database URL");
    Database::open(&url, 4, &MIGRATIONS).expect("the database opens")
}

impl Sender {
    /// Writes events (aggregate, kind) into the outbox, each with its own
    /// request id `req-N` (N its place in `events`), in one transaction, as
    /// a service's request does; then wakes the dispatcher as its writers
    /// do. Returns the events' ids.
    pub fn write(&self, events: &[(&str, &str)]) -> Vec<String> {
        let ids = self.write_quietly(events);
        self.waker.wake();
        ids
    }

    /// As [`Sender::write`], without waking the dispatcher (PostgreSQL's
    /// NOTIFY must do it).
    pub fn write_quietly(&self, events: &[(&str, &str)]) -> Vec<String> {
        let mut sql = String::from("BEGIN;");
        let mut ids = Vec::new();
        for (n, (aggregate, kind)) in events.iter().enumerate() {
            let id = uuid::Uuid::new_v4().to_string();
            sql.push_str(&format!(
                "INSERT INTO outbox (id, aggregate_id, kind, payload, request_id, created_at) \
                 VALUES ('{id}', '{aggregate}', '{kind}', '{{}}', 'req-{n}', '{now}');",
                now = service_kit::db::timestamp(chrono::Utc::now())
            ));
            ids.push(id);
        }
        sql.push_str("COMMIT;");
        testkit::faults::connect(self.app.backend, &self.url)
            .batch_execute(&sql)
            .expect("events written");
        ids
    }

    /// Runs SQL on the database.
    pub fn execute(&self, sql: &str) {
        testkit::faults::execute(self.app.backend, &self.url, sql);
    }

    /// The delivery log's page for `query`.
    pub async fn log(&self, query: &str) -> (reqwest::StatusCode, serde_json::Value) {
        testkit::call(self.app.internal(
            reqwest::Method::GET,
            &format!("{BASE}/outbox/deliveries{query}"),
        ))
        .await
    }

    /// Waits (up to 20 s) until the log for `query` satisfies `done`, and
    /// returns its items.
    pub async fn wait_for(
        &self,
        query: &str,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.log(query).await;
            assert_eq!(status, 200, "{body}");
            let items = body["items"].as_array().cloned().unwrap_or_default();
            if done(&items) {
                return items;
            }
            assert!(Instant::now() < deadline, "gave up waiting: {body:#}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Whether every item is in `status`, and there are `count` of them.
pub fn all(count: usize, status: &'static str) -> impl Fn(&[serde_json::Value]) -> bool {
    move |items| items.len() == count && items.iter().all(|i| i["status"] == status)
}

/// A log item with its times replaced by whether they are set, so that
/// whole items can be compared.
pub fn timeless(item: &serde_json::Value) -> serde_json::Value {
    let mut item = item.clone();
    for field in [
        "nextAttemptAt",
        "leasedUntil",
        "lastAttemptAt",
        "deliveredAt",
        "createdAt",
    ] {
        let set = !item[field].is_null();
        item[field] = serde_json::Value::Bool(set);
    }
    item
}

/// A request a receiver got.
pub struct Got {
    /// Its body.
    pub body: serde_json::Value,
    /// Its `X-Request-Id`.
    pub request_id: Option<String>,
    /// Its path.
    pub path: String,
}

/// The requests a receiver got, in the order it got them.
pub async fn received(server: &wiremock::MockServer) -> Vec<Got> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| Got {
            body: serde_json::from_slice(&r.body).unwrap_or_default(),
            request_id: r
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            path: r.url.path().to_owned(),
        })
        .collect()
}
