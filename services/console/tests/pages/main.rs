//! The console over HTTP, against the real app on both backends: sign-in,
//! the session cookie, CSRF and origin checks, sign-out, expiry, the
//! security headers and the vendored assets; the OpenID Connect sign-in's
//! refusals (a real provider; the browser tests sign in through it); and
//! the settings it refuses to start with.

mod applications;
mod case_actions;
mod case_page;
mod config;
mod evidence;
mod flow;
mod four_eyes;
mod headers;
mod helpers;
mod inbox;
mod oidc;
mod session;
mod sign_in;
mod world;
