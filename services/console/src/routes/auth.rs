//! Signing in and out: the sign-in page, the development sign-in (a name
//! and roles, where [`crate::config::Settings::dev_sign_in`] allows it),
//! and signing out. Both sign-ins ([`super::oidc`] too) begin their session
//! with [`crate::caller::begin_session`].

use crate::caller::{begin_session, cookie, new_token, same_token, Analyst, Gate};
use crate::error::{html, ConsoleError};
use crate::oidc::Oidc;
use crate::store::sessions;
use crate::views::{Chrome, DevSignInPage, RoleView, SignInPage, SignedOutPage};
use crate::wire::auth::{DevSignInForm, TokenForm};
use crate::wire::ROLES;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

/// The pre-session CSRF cookie of the sign-in form (double submit: a
/// cross-site page can neither read it nor set it).
fn login_cookie_name(gate: &Gate) -> &'static str {
    if gate.settings.secure {
        "__Host-console-login"
    } else {
        "console_login"
    }
}

/// A 303 to `location`.
fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut answer = HttpResponse::SeeOther();
    answer.insert_header((header::LOCATION, location));
    answer
}

/// `GET /console/sign-in`: how to sign in here; a signed-in caller goes
/// home.
pub async fn sign_in(gate: web::Data<Gate>, analyst: Option<Analyst>) -> HttpResponse {
    if analyst.is_some() {
        return see_other("/console/").finish();
    }
    html(
        StatusCode::OK,
        &SignInPage {
            chrome: Chrome::anonymous("Sign in"),
            dev: gate.settings.dev_sign_in,
            oidc: gate.settings.oidc.is_some(),
        },
    )
}

/// The development sign-in form, with `status` and what was sent.
fn dev_page(
    status: StatusCode,
    csrf: String,
    name: &str,
    ticked: &[&str],
    error: Option<String>,
) -> HttpResponse {
    html(
        status,
        &DevSignInPage {
            chrome: Chrome::anonymous("Development sign-in"),
            csrf,
            name: name.to_owned(),
            roles: ROLES
                .iter()
                .map(|(code, _)| (RoleView::of(code), ticked.contains(code)))
                .collect(),
            error,
        },
    )
}

/// `GET /console/auth/dev`: the development sign-in form, with a fresh
/// CSRF token in the form and in a cookie. Not found where it is not
/// offered.
pub async fn dev_form(gate: web::Data<Gate>) -> Result<HttpResponse, ConsoleError> {
    if !gate.settings.dev_sign_in {
        return Err(ConsoleError::NotFound);
    }
    let csrf = new_token();
    let mut answer = dev_page(StatusCode::OK, csrf.clone(), "", &["case:read"], None);
    answer
        .add_cookie(&cookie(&gate, login_cookie_name(&gate), csrf))
        .map_err(|e| service_kit::Failure::internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(answer)
}

/// Whether `name` may be a development subject: 1 to 64 of letters,
/// digits and `. _ @ -`.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
}

/// `POST /console/auth/dev`: signs in as the name typed with the roles
/// ticked, in a new session (any session the browser had is ended). The
/// form's token must match its cookie.
pub async fn dev_sign_in(
    req: HttpRequest,
    gate: web::Data<Gate>,
    form: web::Form<DevSignInForm>,
) -> Result<HttpResponse, ConsoleError> {
    if !gate.settings.dev_sign_in {
        return Err(ConsoleError::NotFound);
    }
    let expected = req
        .cookie(login_cookie_name(&gate))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !same_token(&form.csrf, &expected) {
        return Err(ConsoleError::Forbidden(
            "This sign-in form has expired or did not come from this console. Open the sign-in page again.",
        ));
    }
    let name = form.name.trim();
    let roles = form.roles();
    let error = if !valid_name(name) {
        Some("Enter a name of 1 to 64 letters, digits, or . _ @ -.")
    } else if roles.is_empty() {
        Some("Tick at least one role.")
    } else {
        None
    };
    if let Some(error) = error {
        return Ok(dev_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            expected,
            name,
            &roles,
            Some(error.to_owned()),
        ));
    }
    let session = begin_session(&req, &gate, name, name, &roles).await?;
    // Neither the name (it may be a person's) nor the token is logged.
    tracing::info!(roles = %roles.join(" "), "console: development sign-in");
    let mut done = cookie(&gate, login_cookie_name(&gate), String::new());
    done.make_removal();
    Ok(see_other("/console/").cookie(session).cookie(done).finish())
}

/// `POST /console/sign-out`: ends the session on the server (its row is
/// deleted, so the cookie opens nothing any more) and clears the cookie.
pub async fn sign_out(
    req: HttpRequest,
    gate: web::Data<Gate>,
    analyst: Analyst,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, ConsoleError> {
    analyst.check_csrf(&req, &form.csrf)?;
    let id_hash = analyst.session.id_hash.clone();
    gate.db
        .run(move |conn| sessions::delete(conn, &id_hash).map_err(ConsoleError::from))
        .await?;
    tracing::info!("console: signed out");
    let mut gone = cookie(&gate, gate.cookie_name(), String::new());
    gone.make_removal();
    Ok(see_other("/console/signed-out").cookie(gone).finish())
}

/// `GET /console/signed-out`: with a link to end the session at the
/// OpenID provider too, when its discovery (read at sign-in) has an
/// end-session endpoint.
pub async fn signed_out(oidc: Option<web::Data<Oidc>>) -> HttpResponse {
    html(
        StatusCode::OK,
        &SignedOutPage {
            chrome: Chrome::anonymous("Signed out"),
            end_session: oidc.and_then(|oidc| oidc.end_session_url()),
        },
    )
}
