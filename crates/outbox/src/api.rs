//! The delivery log, an internal API (the internal credential; RFC 9457
//! problems): a sending service mounts it in its internal scope with
//! [`register`] and documents it with [`document`].
//!
//! - `GET {BASE}/outbox/deliveries?status=&destination=&kind=&aggregate=&limit=&cursor=`
//! - `POST {BASE}/outbox/deliveries/{eventId}/{destination}/retry`

use crate::store::{self, Delivery, DeliveryPage, DeliveryStatus, ListFilter, Retried};
use crate::Waker;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use service_kit::auth::InternalPeer;
use service_kit::body::parse_query;
use service_kit::error::Problem;
use service_kit::{Database, FieldError, ProblemError};

/// What the log's handlers share.
#[derive(Clone)]
pub struct Log {
    pub(crate) db: Database,
    pub(crate) waker: Waker,
}

/// The default and the largest page.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// The longest filter value: names and ids are far shorter.
const MAX_FILTER_CHARS: usize = 200;

/// Registers the log's two routes on `cfg`, the sending service's internal
/// scope (under `{BASE}`), which requires the internal credential.
pub fn register(cfg: &mut web::ServiceConfig, log: Log) {
    cfg.app_data(web::Data::new(log))
        .service(web::resource("/outbox/deliveries").route(web::get().to(list_deliveries)))
        .service(
            web::resource("/outbox/deliveries/{eventId}/{destination}/retry")
                .route(web::post().to(retry_delivery)),
        );
}

/// The log's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ListQuery {
    /// Only deliveries in this status.
    pub status: Option<DeliveryStatus>,
    /// Only to this destination (its configured name).
    #[param(min_length = 1, max_length = 200)]
    pub destination: Option<String>,
    /// Only of events of this kind (`application.submitted`, ...).
    #[param(min_length = 1, max_length = 200)]
    pub kind: Option<String>,
    /// Only of events about this aggregate (an `Application_id`).
    #[param(min_length = 1, max_length = 200)]
    pub aggregate: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page.
    #[param(max_length = 220, pattern = "^[1-9][0-9]{0,17}\\.[!-~]{1,100}$")]
    pub cursor: Option<String>,
}

/// List deliveries.
///
/// The outbox's deliveries, one per event and destination, newest event
/// first, filtered, a page at a time: where each stands, how many attempts
/// it took, and the last failure's HTTP status and class (never a body).
#[utoipa::path(
    get, path = "/outbox/deliveries", tag = "outbox (internal)",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage,
         example = json!({"items": [{"eventId": "0b6f0f5e-8d53-4a43-9f57-1c1d9b8e2a10", "destination": "case-service",
             "kind": "application.submitted", "aggregateId": "APP0000000001", "status": "delivered", "attempts": 3,
             "nextAttemptAt": null, "leasedUntil": null, "lastAttemptAt": "2026-12-07T10:00:07.000000Z", "lastStatus": null,
             "lastError": null, "deliveredAt": "2026-12-07T10:00:07.000000Z", "createdAt": "2026-12-07T10:00:00.000000Z",
             "requestId": "5d0c3c1e-2b7e-4d35-9d9e-6f3b2a1c0d4e"}], "nextCursor": null})),
        (status = 400, description = "A parameter is invalid (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_deliveries(
    _peer: InternalPeer,
    req: HttpRequest,
    log: web::Data<Log>,
) -> Result<HttpResponse, ProblemError> {
    let query: ListQuery = parse_query(req.query_string())?;
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    for (name, value) in [
        ("destination", &query.destination),
        ("kind", &query.kind),
        ("aggregate", &query.aggregate),
    ] {
        if value
            .as_deref()
            .is_some_and(|v| v.is_empty() || v.chars().count() > MAX_FILTER_CHARS)
        {
            errors.push(FieldError::new(
                name,
                format!("must be 1 to {MAX_FILTER_CHARS} characters"),
            ));
        }
    }
    let after = match query.cursor.as_deref().map(parse_cursor) {
        Some(None) => {
            errors.push(FieldError::new(
                "cursor",
                "is not a cursor this list returned",
            ));
            None
        }
        Some(Some(after)) => Some(after),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let filter = ListFilter {
        status: query.status,
        destination: query.destination,
        kind: query.kind,
        aggregate: query.aggregate,
        after,
    };
    let page = log
        .db
        .run(move |conn| store::list(conn, &filter, limit).map_err(ProblemError::from))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A cursor's place: `SEQ.DESTINATION`, as the documented pattern says
/// (a positive sequence number of at most 18 digits, a destination name of
/// 1 to 100 printable ASCII characters).
fn parse_cursor(text: &str) -> Option<(i64, String)> {
    let (seq, destination) = text.split_once('.')?;
    let digits = (1..=18).contains(&seq.len())
        && !seq.starts_with('0')
        && seq.bytes().all(|b| b.is_ascii_digit());
    let named =
        (1..=100).contains(&destination.len()) && destination.bytes().all(|b| b.is_ascii_graphic());
    if !(digits && named) {
        return None;
    }
    Some((seq.parse().ok()?, destination.to_owned()))
}

/// Send a failed delivery again.
///
/// The delivery becomes pending, due now, with its retry window starting
/// over; its attempts and last failure stay in the log. Only a failed
/// delivery is sent again: a pending one is on its way, a delivered one
/// arrived.
#[utoipa::path(
    post, path = "/outbox/deliveries/{eventId}/{destination}/retry", tag = "outbox (internal)",
    params(
        ("eventId" = String, Path, max_length = 200, description = "The event's id"),
        ("destination" = String, Path, max_length = 100, description = "The destination's name"),
    ),
    responses(
        (status = 200, description = "Pending again: the delivery as it is now", body = Delivery),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The delivery is not failed (pending or delivered)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn retry_delivery(
    _peer: InternalPeer,
    path: web::Path<(String, String)>,
    log: web::Data<Log>,
) -> Result<HttpResponse, ProblemError> {
    let (event_id, destination) = path.into_inner();
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let (id, to) = (event_id.clone(), destination.clone());
    let retried = log
        .db
        .run(move |conn| store::retry(conn, &id, &to, &now).map_err(ProblemError::from))
        .await?;
    match retried {
        Retried::Pending(delivery) => {
            tracing::info!(event_id = %event_id, destination = %destination,
                "failed outbox delivery sent again by the operator");
            log.waker.wake();
            Ok(HttpResponse::Ok().json(delivery))
        }
        Retried::NotFailed(status) => Err(ProblemError::Conflict(format!(
            "the delivery is {}; only a failed delivery is sent again",
            status.as_str()
        ))),
        Retried::Missing => Err(ProblemError::NotFound("delivery")),
    }
}

/// Adds the log's operations to `doc` (a sending service's OpenAPI
/// document) under `base` (its internal scope's path); the service marks
/// its internal API's credential (`service_kit::openapi::internal_api`).
pub fn document(doc: &mut utoipa::openapi::OpenApi, base: &str) {
    #[derive(utoipa::OpenApi)]
    #[openapi(
        paths(list_deliveries, retry_delivery),
        components(schemas(Delivery, DeliveryPage, DeliveryStatus, Problem)),
        tags((name = "outbox (internal)", description = "The delivery log of the outbox: every event's delivery to \
            each destination, and sending a failed one again; internal: the internal credential, never routed by the gateway"))
    )]
    struct Doc;
    let mut log = <Doc as utoipa::OpenApi>::openapi();
    let nested = std::mem::take(&mut log.paths.paths);
    log.paths.paths = nested
        .into_iter()
        .map(|(path, item)| (format!("{base}{path}"), item))
        .collect();
    doc.merge(log);
}
