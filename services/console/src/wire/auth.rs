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
