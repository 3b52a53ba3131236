//! The sign-in and sign-out forms.

use serde::Deserialize;

/// The development sign-in form: a name and the roles ticked. A checkbox
/// left unticked is not sent at all.
#[derive(Debug, Deserialize)]
pub struct DevSignInForm {
    /// The name to sign in as (the session's subject).
    #[serde(default)]
    pub name: String,
    /// `case:read` ticked.
    #[serde(default, rename = "case:read")]
    pub case_read: Option<String>,
    /// `case:write` ticked.
    #[serde(default, rename = "case:write")]
    pub case_write: Option<String>,
    /// `application:read` ticked.
    #[serde(default, rename = "application:read")]
    pub application_read: Option<String>,
    /// The form's CSRF token (double-submitted with a cookie).
    #[serde(default)]
    pub csrf: String,
}

impl DevSignInForm {
    /// The roles ticked, in [`super::ROLES`]' order.
    pub fn roles(&self) -> Vec<&'static str> {
        [&self.case_read, &self.case_write, &self.application_read]
            .iter()
            .zip(super::ROLES)
            .filter(|(ticked, _)| ticked.is_some())
            .map(|(_, (code, _))| code)
            .collect()
    }
}

/// A form that carries nothing but its CSRF token (sign-out).
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
}

/// `GET /console/auth/login`'s query.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    /// Where to go once signed in (a path under `/console/`).
    pub return_to: Option<String>,
}

/// What the OpenID provider sends the browser back with: a code, or an
/// error, and the state either way.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The state the sign-in began with.
    pub state: Option<String>,
    /// The provider's error code (`access_denied`, ...).
    pub error: Option<String>,
}
