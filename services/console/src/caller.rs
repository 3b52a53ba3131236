//! Who is calling, and how that is checked: the session cookie (an
//! [`Analyst`] extractor, and [`begin_session`], which both sign-ins
//! end with), the CSRF synchronizer token of every
//! state-changing form, and the origin of every request that is not a
//! read ([`same_origin`]).

use crate::config::Settings;
use crate::error::ConsoleError;
use crate::rows::sessions::SessionRow;
use crate::store::sessions;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpRequest, ResponseError};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use rand::RngCore;
use service_kit::db::timestamp;
use service_kit::Database;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The header htmx sends the CSRF token in (`hx-headers` on `<body>`).
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// How often a session's last use is written: a page view is not a write
/// each time.
const TOUCH_EVERY_SECS: i64 = 60;

/// What checking a caller needs: the sessions' database and the settings.
pub struct Gate {
    /// The console database.
    pub db: Database,
    /// The console's settings.
    pub settings: Settings,
}

impl Gate {
    /// The session cookie's name: `__Host-` when `Secure`, which browsers
    /// accept only from a secure origin, for the whole host (`Path=/`) and
    /// never from a subdomain.
    pub fn cookie_name(&self) -> &'static str {
        if self.settings.secure {
            "__Host-console"
        } else {
            "console"
        }
    }

    /// The session cookie's path, as its name requires.
    pub fn cookie_path(&self) -> &'static str {
        if self.settings.secure {
            "/"
        } else {
            "/console/"
        }
    }
}

/// A fresh random token (32 bytes, base64url): session tokens and CSRF
/// tokens.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What a session is stored under: the token's SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether two tokens are equal, in time that does not depend on where
/// they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A signed-in caller, from the session cookie. A page that names it
/// needs a live session: without one the caller is sent to sign in.
#[derive(Debug, Clone)]
pub struct Analyst {
    /// The session's row.
    pub session: SessionRow,
}

impl Analyst {
    /// Refuses a state-changing request whose CSRF token (the form's
    /// `csrf` field, or htmx's header) is not the session's.
    pub fn check_csrf(&self, req: &HttpRequest, form_token: &str) -> Result<(), ConsoleError> {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(form_token);
        if same_token(sent, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(ConsoleError::Forbidden(
                "This form has expired or did not come from this console. Reload the page and try again.",
            ))
        }
    }
}

impl FromRequest for Analyst {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let gate = req.app_data::<web::Data<Gate>>().cloned();
        let token = gate
            .as_ref()
            .and_then(|gate| req.cookie(gate.cookie_name()))
            .map(|cookie| cookie.value().to_owned());
        Box::pin(async move {
            let gate = gate.ok_or_else(|| {
                ConsoleError::Failure(service_kit::Failure::internal(anyhow::anyhow!(
                    "the console's gate is not registered"
                )))
            })?;
            let token = token.ok_or(ConsoleError::SignInRequired)?;
            let session = live_session(&gate, token_hash(&token)).await?;
            Ok(Analyst { session })
        })
    }
}

/// A cookie with the console's flags: HttpOnly, SameSite=Strict, Secure
/// unless served over plain HTTP on loopback.
pub fn cookie<'c>(gate: &Gate, name: &'c str, value: String) -> Cookie<'c> {
    Cookie::build(name, value)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(gate.settings.secure)
        .path(gate.cookie_path())
        .finish()
}

/// Begins a session for `subject`, shown as `name`, with `roles`, and
/// ends the one the browser had, if any: the session cookie to set.
pub async fn begin_session(
    req: &HttpRequest,
    gate: &Gate,
    subject: &str,
    name: &str,
    roles: &[&str],
) -> Result<Cookie<'static>, ConsoleError> {
    let previous = req
        .cookie(gate.cookie_name())
        .map(|c| token_hash(c.value()));
    let token = new_token();
    let now = chrono::Utc::now();
    let row = SessionRow {
        id_hash: token_hash(&token),
        subject: subject.to_owned(),
        display_name: name.to_owned(),
        roles: roles.join(" "),
        csrf_token: new_token(),
        created_at: timestamp(now),
        last_seen_at: timestamp(now),
        idle_expires_at: timestamp(now + gate.settings.idle),
        absolute_expires_at: timestamp(now + gate.settings.absolute),
    };
    gate.db
        .run(move |conn| {
            if let Some(previous) = previous {
                sessions::delete(conn, &previous)?;
            }
            sessions::insert(conn, &row).map_err(ConsoleError::from)
        })
        .await?;
    Ok(cookie(gate, gate.cookie_name(), token))
}

/// The live session stored under `id_hash`; an expired one is deleted.
/// A session seen again is kept alive for another idle period (written at
/// most once a minute), never past its absolute end.
async fn live_session(gate: &Gate, id_hash: String) -> Result<SessionRow, ConsoleError> {
    let idle = gate.settings.idle;
    gate.db
        .run(move |conn| {
            let Some(mut row) = sessions::find(conn, &id_hash)? else {
                return Err(ConsoleError::SignInRequired);
            };
            let now = chrono::Utc::now();
            let at = timestamp(now);
            if row.idle_expires_at <= at || row.absolute_expires_at <= at {
                sessions::delete(conn, &id_hash)?;
                return Err(ConsoleError::SignInRequired);
            }
            let stale = timestamp(now - chrono::Duration::seconds(TOUCH_EVERY_SECS));
            if row.last_seen_at <= stale {
                let idle_end = timestamp(now + idle).min(row.absolute_expires_at.clone());
                sessions::touch(conn, &id_hash, &at, &idle_end)?;
                row.last_seen_at = at;
                row.idle_expires_at = idle_end;
            }
            Ok(row)
        })
        .await
}

/// The console's origin as browsers use it: `CONSOLE_PUBLIC_URL`'s, or,
/// when it is unset (loopback only, plain HTTP), the origin of the
/// request's own `Host` (not `X-Forwarded-Host`), which a cross-site
/// request cannot choose.
pub fn public_origin(settings: Option<&Settings>, headers: &header::HeaderMap) -> String {
    settings
        .and_then(|settings| settings.origin.clone())
        .unwrap_or_else(|| {
            let host = headers.get(header::HOST);
            let host = host.and_then(|h| h.to_str().ok()).unwrap_or("");
            format!("http://{}", host.to_ascii_lowercase())
        })
}

/// Middleware: refuses any request that may change state (not `GET`,
/// `HEAD` or `OPTIONS`) coming from another origin: `Sec-Fetch-Site` other
/// than `same-origin`, or an `Origin` other than the console's own (or
/// `null` with `Sec-Fetch-Site: same-origin`, what the console's own
/// forms send under its `no-referrer` policy). A request with neither
/// header (not a browser, or an old one) still needs its CSRF token.
pub async fn same_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let settings = req.app_data::<web::Data<Gate>>().map(|gate| &gate.settings);
    let expected = public_origin(settings, req.headers());
    let sent = |name: &str| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase())
    };
    let fetch_site = sent("sec-fetch-site");
    let same_site_fetch = fetch_site.as_deref() == Some("same-origin");
    let fetch_site_ok = fetch_site.is_none() || same_site_fetch;
    // `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on
    // every POST, the console's own forms included (Fetch standard,
    // "append a request Origin header"); `Sec-Fetch-Site: same-origin`,
    // which no page can forge, then says where the form came from.
    let origin_ok = sent(header::ORIGIN.as_str())
        .is_none_or(|origin| origin == expected || (origin == "null" && same_site_fetch));
    if fetch_site_ok && origin_ok {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let refused = ConsoleError::Forbidden(
        "This request came from another site, so the console did not act on it. Use the console's own pages.",
    )
    .error_response();
    Ok(req.into_response(refused).map_into_right_body())
}
