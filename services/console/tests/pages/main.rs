//! The console over HTTP, against the real app on both backends: sign-in,
//! the session cookie, CSRF and origin checks, sign-out, expiry, the
//! security headers and the vendored assets; and the settings it refuses
//! to start with.

mod applications;
mod case_actions;
mod case_page;
mod config;
mod evidence;
mod flow;
mod headers;
mod helpers;
mod inbox;
mod session;
mod sign_in;
mod world;
