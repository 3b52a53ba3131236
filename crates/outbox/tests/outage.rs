//! The dispatcher and its LISTEN connection survive PostgreSQL going away
//! and coming back (a binary of its own: the outage stops the server every
//! test of a binary shares).

mod support;

use std::time::{Duration, Instant};
use support::{quick, received, start, Http};
use testkit::faults::Outage;
use testkit::Backend;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Waits (up to `within`) until the receiver has `count` requests.
async fn until_received(server: &MockServer, count: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while received(server).await.len() < count {
        assert!(Instant::now() < deadline, "not delivered in {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_resumes_after_a_postgres_outage() {
    if !Backend::postgres_available() {
        return;
    }
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let peer = Http::to("peer", server.uri(), false);
    // Only NOTIFY wakes it soon: the poll is 30 s away.
    let settings = outbox::Settings {
        poll_interval: Duration::from_secs(30),
        ..quick()
    };
    let sender = start(Backend::Postgres, vec![peer], settings).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    sender.write_quietly(&[("APP1", "application.submitted")]);
    until_received(&server, 1, Duration::from_secs(5)).await;

    let outage = Outage::begin(std::slice::from_ref(&sender.url));
    tokio::time::sleep(Duration::from_secs(2)).await;
    outage.end();
    // The LISTEN connection is back within a few seconds; an event written
    // then is delivered well before the next poll.
    tokio::time::sleep(Duration::from_secs(3)).await;
    sender.write_quietly(&[("APP1", "application.withdrawn")]);
    until_received(&server, 2, Duration::from_secs(10)).await;
    let got = received(&server).await;
    assert_eq!(got[1].body["kind"], "application.withdrawn");
}
