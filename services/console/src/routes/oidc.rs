//! Signing in through the OpenID provider: `GET /console/auth/login`
//! sends the browser there, `GET /console/auth/callback` takes it back.
//!
//! The sign-in under way is stored by its state (single use, ten minutes),
//! and bound to the browser that began it by a cookie holding the PKCE
//! verifier: `SameSite=Lax`, since the browser comes back from the
//! provider's site by a top-level navigation, which a Strict cookie would
//! miss. The session it begins is answered with a page that moves on by
//! itself ([`SignedInPage`]), not a redirect. Every refusal is a page that
//! says what to do; what went wrong is logged, without codes or tokens.

use crate::caller::{begin_session, new_token, public_origin, same_token, token_hash, Gate};
use crate::error::{html, ConsoleError};
use crate::oidc::{challenge, AuthRequest, Oidc, OidcError};
use crate::rows::logins::LoginRow;
use crate::store::logins;
use crate::sweep::LOGIN_TTL;
use crate::views::{Chrome, ErrorPage, SignedInPage};
use crate::wire::auth::{CallbackQuery, LoginQuery};
use crate::wire::ROLES;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::db::timestamp;

/// The path of the provider's redirect back.
const CALLBACK_PATH: &str = "/console/auth/callback";
/// The binding cookie's path: only the sign-in routes see it.
const BINDING_PATH: &str = "/console/auth/";

/// The binding cookie's name (`__Secure-` where it is Secure: browsers
/// then take it only over HTTPS).
fn binding_name(gate: &Gate) -> &'static str {
    if gate.settings.secure {
        "__Secure-console-oidc"
    } else {
        "console_oidc"
    }
}

/// The binding cookie: HttpOnly, `SameSite=Lax`, ten minutes.
fn binding(gate: &Gate, verifier: String) -> Cookie<'static> {
    Cookie::build(binding_name(gate), verifier)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(gate.settings.secure)
        .path(BINDING_PATH)
        .max_age(actix_web::cookie::time::Duration::seconds(
            LOGIN_TTL.num_seconds(),
        ))
        .finish()
}

/// The binding cookie's removal.
fn binding_removal(gate: &Gate) -> Cookie<'static> {
    let mut gone = binding(gate, String::new());
    gone.make_removal();
    gone
}

/// Where the provider sends the browser back: on the console's own
/// origin.
fn redirect_uri(req: &HttpRequest, gate: &Gate) -> String {
    format!(
        "{}{CALLBACK_PATH}",
        public_origin(Some(&gate.settings), req.headers())
    )
}

/// `return_to` when it is a path under `/console/` made of plain
/// characters (so neither another site nor a scheme can hide in it);
/// `/console/` otherwise.
fn same_origin_path(return_to: Option<&str>) -> String {
    return_to
        .filter(|path| {
            path.len() <= 512
                && path.starts_with("/console/")
                && !path.contains("//")
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/-_.~?&=%".contains(c))
        })
        .unwrap_or("/console/")
        .to_owned()
}

/// A page that says sign-in did not happen, and the binding cookie
/// cleared.
fn refusal(gate: &Gate, status: StatusCode, title: &str, message: &'static str) -> HttpResponse {
    let mut answer = html(
        status,
        &ErrorPage {
            chrome: Chrome::anonymous(title),
            message,
        },
    );
    add_cookies(&mut answer, [binding_removal(gate)]);
    answer
}

/// What a sign-in that has expired, was begun in another browser, or was
/// tampered with is answered.
const START_AGAIN: &str = "This sign-in has expired or was begun in another browser, so it was not completed. Sign in again from the console's sign-in page.";
/// What a provider that cannot be reached is answered.
const PROVIDER_DOWN: &str = "The bank's identity provider cannot be reached just now, so you cannot sign in. Try again in a moment.";
/// What an answer from the provider that does not check out is answered.
const NOT_VERIFIED: &str = "The identity provider's answer could not be verified, so you are not signed in. Sign in again; if this keeps happening, tell the support team the time it happened.";
/// What a provider's refusal (the analyst cancelled, or may not sign in
/// to the console) is answered.
const PROVIDER_REFUSED: &str = "The identity provider did not sign you in: you cancelled, or it does not let you into the console. Sign in again, or ask your administrator for access.";
/// What a provider's error of another kind is answered.
const PROVIDER_FAILED: &str = "The identity provider could not complete the sign-in. Sign in again; if this keeps happening, tell the support team the time it happened.";
/// What an analyst with none of the console's roles is answered.
const NO_ROLE: &str = "You signed in, but your account has none of the console's roles (case:read, case:write, application:read), so the console cannot let you in. Ask your administrator for access.";

/// The page for a failure of the provider's, logged.
fn provider_failure(gate: &Gate, e: &OidcError) -> HttpResponse {
    tracing::warn!(error = %e, "console: sign-in through the OpenID provider failed");
    match e {
        OidcError::Unavailable(_) => refusal(
            gate,
            StatusCode::SERVICE_UNAVAILABLE,
            "Identity provider unavailable",
            PROVIDER_DOWN,
        ),
        OidcError::Refused(_) => refusal(
            gate,
            StatusCode::BAD_GATEWAY,
            "Sign-in not verified",
            NOT_VERIFIED,
        ),
    }
}

/// `GET /console/auth/login[?return_to=/console/...]`: stores a new
/// sign-in and sends the browser to the provider (302), with the binding
/// cookie. Not found when no provider is configured.
pub async fn login(
    req: HttpRequest,
    gate: web::Data<Gate>,
    oidc: Option<web::Data<Oidc>>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let oidc = oidc.ok_or(ConsoleError::NotFound)?;
    let request = AuthRequest {
        state: new_token(),
        nonce: new_token(),
        verifier: new_token(),
    };
    let url = match oidc
        .authorization_url(&request, &redirect_uri(&req, &gate))
        .await
    {
        Ok(url) => url,
        Err(e) => return Ok(provider_failure(&gate, &e)),
    };
    let row = LoginRow {
        state_hash: token_hash(&request.state),
        nonce: request.nonce,
        challenge: challenge(&request.verifier),
        return_to: same_origin_path(query.return_to.as_deref()),
        created_at: timestamp(chrono::Utc::now()),
    };
    gate.db
        .run(move |conn| logins::insert(conn, &row).map_err(ConsoleError::from))
        .await?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .cookie(binding(&gate, request.verifier))
        .finish())
}

/// `GET /console/auth/callback?code&state` (or `?error&state`): takes the
/// sign-in the state names, checks that this browser began it, exchanges
/// the code, checks the ID token, and begins a session for an analyst
/// with at least one console role.
pub async fn callback(
    req: HttpRequest,
    gate: web::Data<Gate>,
    oidc: Option<web::Data<Oidc>>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let oidc = oidc.ok_or(ConsoleError::NotFound)?;
    let verifier = req
        .cookie(binding_name(&gate))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    // The sign-in is used up whatever the answer: a state works once.
    let login = match query.state.as_deref().filter(|s| !s.is_empty()) {
        Some(state) => {
            let state_hash = token_hash(state);
            gate.db
                .run(move |conn| logins::take(conn, &state_hash).map_err(ConsoleError::from))
                .await?
        }
        None => None,
    };
    if let Some(error) = query.error.as_deref() {
        // The code alone is logged, and only when it looks like one: the
        // query is anybody's to write.
        let code = Some(error)
            .filter(|e| e.len() <= 64 && e.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .unwrap_or("(not an error code)");
        tracing::info!(code, "console: the OpenID provider answered an error");
        let refused = matches!(
            error,
            "access_denied" | "login_required" | "consent_required" | "interaction_required"
        );
        return Ok(if refused {
            refusal(
                &gate,
                StatusCode::FORBIDDEN,
                "Not signed in",
                PROVIDER_REFUSED,
            )
        } else {
            refusal(
                &gate,
                StatusCode::BAD_GATEWAY,
                "Not signed in",
                PROVIDER_FAILED,
            )
        });
    }
    let fresh = timestamp(chrono::Utc::now() - LOGIN_TTL);
    let login = login.filter(|login| {
        login.created_at > fresh && same_token(&login.challenge, &challenge(&verifier))
    });
    let (Some(login), Some(code)) = (login, query.code.as_deref().filter(|c| !c.is_empty())) else {
        tracing::info!("console: a sign-in came back unknown, expired or from another browser");
        return Ok(refusal(
            &gate,
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            START_AGAIN,
        ));
    };
    let identity = match oidc
        .sign_in(code, &verifier, &login.nonce, &redirect_uri(&req, &gate))
        .await
    {
        Ok(identity) => identity,
        Err(e) => return Ok(provider_failure(&gate, &e)),
    };
    let roles: Vec<&str> = ROLES
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| identity.roles.iter().any(|role| role == code))
        .collect();
    if roles.is_empty() {
        tracing::info!("console: signed in at the OpenID provider with no console role");
        return Ok(refusal(
            &gate,
            StatusCode::FORBIDDEN,
            "No access to the console",
            NO_ROLE,
        ));
    }
    let session = begin_session(&req, &gate, &identity.subject, &identity.name, &roles).await?;
    // Neither the subject nor the name (a person's) is logged.
    tracing::info!(roles = %roles.join(" "), "console: signed in through the OpenID provider");
    let mut answer = html(
        StatusCode::OK,
        &SignedInPage {
            chrome: Chrome::anonymous("Signed in"),
            next: login.return_to,
        },
    );
    add_cookies(&mut answer, [session, binding_removal(&gate)]);
    Ok(answer)
}

/// Adds `cookies` to `answer`. (A cookie of the console's own making
/// always encodes as a header.)
fn add_cookies<const N: usize>(answer: &mut HttpResponse, cookies: [Cookie<'_>; N]) {
    for cookie in cookies {
        let _ = answer.add_cookie(&cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin_path;

    #[test]
    fn only_plain_console_paths_are_returned_to() {
        for (asked, kept) in [
            (
                Some("/console/cases?status=INV&page=2"),
                "/console/cases?status=INV&page=2",
            ),
            (Some("/console/"), "/console/"),
            (None, "/console/"),
            (Some("https://evil.example/console/"), "/console/"),
            (Some("//evil.example/console/"), "/console/"),
            (Some("/console//evil.example"), "/console/"),
            (Some("/party/v1/parties"), "/console/"),
            (Some("/console/\"><script>"), "/console/"),
            (Some("/console/a;url=https://evil.example"), "/console/"),
        ] {
            assert_eq!(same_origin_path(asked), kept, "{asked:?}");
        }
    }
}
