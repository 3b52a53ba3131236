//! The pages: askama templates (in `templates/`) and what they show. A
//! page is a struct whose fields are all the template reads; templates
//! escape every value they print.

pub mod applications;
pub mod cases;

use crate::rows::sessions::SessionRow;
use crate::wire::ROLES;
use askama::Template;

/// The vendored htmx, by its versioned path (cached for good).
pub const HTMX_PATH: &str = "/console/assets/htmx-2.0.10.min.js";
/// The console's script: releases a case's lock when its page is left.
pub const JS_PATH: &str = "/console/assets/console.js";
/// The console's style sheet.
pub const CSS_PATH: &str = "/console/assets/console.css";

/// Which entry of the navigation a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// A page outside the navigation (sign-in, errors).
    None,
    /// The landing page.
    Home,
    /// Cases.
    Cases,
    /// Applications.
    Applications,
}

/// A role, as the pages show it.
#[derive(Debug, Clone)]
pub struct RoleView {
    /// `case:read`, ...
    pub code: String,
    /// What it lets its holder do.
    pub label: &'static str,
}

impl RoleView {
    /// The view of `code`; a role the console does not know is shown as it
    /// is.
    pub fn of(code: &str) -> Self {
        let label = ROLES
            .iter()
            .find(|(known, _)| *known == code)
            .map_or("(not used by the console)", |(_, label)| label);
        Self {
            code: code.to_owned(),
            label,
        }
    }
}

/// Who is signed in, as the layout shows them.
#[derive(Debug, Clone)]
pub struct Who {
    /// Their name.
    pub name: String,
    /// Their roles.
    pub roles: Vec<RoleView>,
    /// The session's CSRF token, for the sign-out form and htmx's header.
    pub csrf: String,
}

/// What the layout (`base.html`) needs of every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The page's title (before " · Onboarding console").
    pub title: String,
    /// Who is signed in; `None` on the pages before sign-in.
    pub who: Option<Who>,
    /// Which navigation entry is the current page.
    pub current: Nav,
}

impl Chrome {
    /// The page `current` of the signed-in caller of `session`.
    pub fn signed_in(session: &SessionRow, title: &str, current: Nav) -> Self {
        Self {
            title: title.to_owned(),
            who: Some(Who {
                name: session.display_name.clone(),
                roles: session.roles().map(RoleView::of).collect(),
                csrf: session.csrf_token.clone(),
            }),
            current,
        }
    }

    /// A page before sign-in (or an error page).
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            who: None,
            current: Nav::None,
        }
    }

    /// The `aria-current` attribute of the navigation entry `nav`.
    pub fn current_of(&self, nav: Nav) -> &'static str {
        if self.current == nav {
            "page"
        } else {
            "false"
        }
    }
}

/// The sign-in page: how to sign in here.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    /// The layout.
    pub chrome: Chrome,
    /// Whether the development sign-in is offered.
    pub dev: bool,
    /// Whether signing in through the OpenID provider is offered.
    pub oidc: bool,
}

/// The development sign-in form.
#[derive(Template)]
#[template(path = "dev_sign_in.html")]
pub struct DevSignInPage {
    /// The layout.
    pub chrome: Chrome,
    /// The form's CSRF token (also in a cookie).
    pub csrf: String,
    /// The name typed, when the form comes back with an error.
    pub name: String,
    /// Each role with whether it is ticked.
    pub roles: Vec<(RoleView, bool)>,
    /// What was wrong with the form sent, if anything.
    pub error: Option<String>,
}

/// The landing page: who is signed in, and with which roles.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// The layout (`who` is set).
    pub chrome: Chrome,
    /// The subject signed in.
    pub subject: String,
}

/// After sign-out.
#[derive(Template)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    /// The layout.
    pub chrome: Chrome,
    /// Where to end the session at the OpenID provider too, when it has
    /// an end-session endpoint.
    pub end_session: Option<String>,
}

/// The answer to the provider's redirect once signed in: a page that
/// moves on to `next` at once (`<meta http-equiv="refresh">`, no script).
/// A redirect would not do: the browser arrives from the provider's site,
/// and a `SameSite=Strict` session cookie is not sent on a redirect of
/// that cross-site navigation, only on the same-site one this starts.
#[derive(Template)]
#[template(path = "signed_in.html")]
pub struct SignedInPage {
    /// The layout.
    pub chrome: Chrome,
    /// Where to go: a path under `/console/`.
    pub next: String,
}

/// An error page: what happened, and what to do. A 5xx says nothing of
/// the cause.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The layout.
    pub chrome: Chrome,
    /// What happened.
    pub message: &'static str,
}
