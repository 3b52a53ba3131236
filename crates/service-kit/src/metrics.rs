//! Prometheus metrics: one process-wide recorder, HTTP request counters and
//! latency histograms, and the `/metrics` handler: on the service port for
//! holders of the internal credential, or, with `METRICS_PORT`, alone on a
//! port of its own without one.

use actix_web::HttpResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets, in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the process-wide recorder once and returns its handle. Several
/// servers in one process (as in tests) share it.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (by an embedding program);
        // then this handle renders only what this recorder sees, which is nothing.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Records one served request.
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
}

/// Counts `count` things of `kind` that `service`'s sweep removed (left by
/// a crash or a failed undo), as `sweep_removed_total`.
pub fn record_swept(service: &'static str, kind: &'static str, count: u64) {
    metrics::counter!("sweep_removed_total", "service" => service, "kind" => kind).increment(count);
}

/// Counts one attempt of `service`'s outbox at delivering an event to a
/// destination of `family` (`internal`, `webhook`: never a name or URL an
/// operator configured), by `outcome` (`delivered`, `retry`, `failed`), as
/// `outbox_deliveries_total`.
pub fn record_outbox_delivery(service: &'static str, family: &'static str, outcome: &'static str) {
    metrics::counter!("outbox_deliveries_total", "service" => service, "destination" => family, "outcome" => outcome)
        .increment(1);
}

/// Sets how many deliveries `service`'s outbox has pending, as the gauge
/// `outbox_pending`.
pub fn set_outbox_pending(service: &'static str, pending: u64) {
    metrics::gauge!("outbox_pending", "service" => service).set(pending as f64);
}

/// `GET /metrics`: the Prometheus text exposition.
pub async fn render() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(handle().render())
}
