//! The console in a real browser (headless Chromium through ChromeDriver),
//! signing in through a real OpenID provider (oidc-provider under node) on
//! another site: what the analyst sees, the cookies the browser keeps,
//! sign-out, the provider's refusals, and axe's accessibility checks on
//! each screen, with a screenshot of each. Skipped where Chromium or the
//! node modules are missing, failed then with `REQUIRE_BROWSER=1`.

mod browser_sign_in;
