//! Starting the console alone, and a browser's part: cookies by hand,
//! forms, redirects not followed.

use diesel::RunQueryDsl;
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use testkit::{Backend, TestApp};

/// The Content Security Policy every console answer carries.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
object-src 'self'";

/// Starts the console alone on `backend` with `extra` variables.
pub async fn spawn(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    TestApp::spawn(backend, &["console"], extra, &build).await
}

/// What the tests serve: the console alone.
pub fn build(ctx: &Context, vars: &HashMap<String, String>) -> anyhow::Result<Vec<Service>> {
    Ok(vec![console::service(ctx, Some(vars))?])
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// A header's value (`""` when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().expect("a text header"))
    }

    /// The `Set-Cookie` headers.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("text"))
            .collect()
    }

    /// The `Set-Cookie` of cookie `name`, as `name=value` and its
    /// attributes in the order sent.
    pub fn cookie(&self, name: &str) -> Option<Vec<String>> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split("; ").map(str::to_owned).collect())
    }

    /// What `<main>` holds, with runs of white space made one space:
    /// the page's own content, compared whole.
    pub fn main(&self) -> String {
        let start = self
            .body
            .find("<main id=\"main\" tabindex=\"-1\">")
            .unwrap_or_else(|| panic!("no <main> in {}", self.body));
        let end = self.body.find("</main>").expect("</main>");
        squeeze(&self.body[start..end + "</main>".len()])
    }

    /// The value of the first `name="csrf"` hidden field.
    pub fn csrf_field(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let at = self.body.find(marker).expect("a csrf field") + marker.len();
        self.body[at..]
            .split('"')
            .next()
            .expect("a value")
            .to_owned()
    }
}

/// `text` with runs of white space made one space, trimmed.
pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A client that does not follow redirects, as the tests read each one.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// Sends `method path` with `cookies` (`name=value; ...`), `headers` and,
/// when given, a form body.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    cookies: &str,
    headers: &[(&str, &str)],
    form: Option<&[(&str, &str)]>,
) -> Page {
    let mut request = client().request(method, format!("{}{path}", app.url));
    if !cookies.is_empty() {
        request = request.header(COOKIE, cookies);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(fields) = form {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        request = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
    }
    let response = request.send().await.expect("sent");
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    }
}

/// `POST path` with `cookies`, `headers` and the form `fields`.
pub async fn post(
    app: &TestApp,
    path: &str,
    cookies: &str,
    headers: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> Page {
    send(app, Method::POST, path, cookies, headers, Some(fields)).await
}

/// `GET path` with `cookies`.
pub async fn get(app: &TestApp, path: &str, cookies: &str) -> Page {
    send(app, Method::GET, path, cookies, &[], None).await
}

/// A signed-in browser: its session cookie and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// `console=TOKEN` (the `Cookie` header).
    pub cookie: String,
    /// The forms' token, as the pages carry it.
    pub csrf: String,
}

/// The development sign-in form's page and its CSRF cookie
/// (`console_login=TOKEN`).
pub async fn dev_form(app: &TestApp) -> (Page, String) {
    let page = get(app, "/console/auth/dev", "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cookie = page.cookie("console_login").expect("the login cookie")[0].clone();
    (page, cookie)
}

/// Signs in through the development form as `name` with `roles`, as a
/// browser does: the form, then its POST, then the landing page.
pub async fn sign_in(app: &TestApp, name: &str, roles: &[&str]) -> Session {
    let (form, login) = dev_form(app).await;
    let csrf = form.csrf_field();
    let mut fields = vec![("name", name), ("csrf", csrf.as_str())];
    fields.extend(roles.iter().map(|role| (*role, "on")));
    let signed = post(app, "/console/auth/dev", &login, &[], &fields).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let cookie = signed.cookie("console").expect("the session cookie")[0].clone();
    let home = get(app, "/console/", &cookie).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    Session {
        csrf: home.csrf_field(),
        cookie,
    }
}

/// Asserts `page` is the redirect to the sign-in page.
pub fn assert_sent_to_sign_in(page: &Page) {
    assert_eq!(
        (page.status, page.header("location")),
        (StatusCode::SEE_OTHER, "/console/sign-in"),
        "{}",
        page.body
    );
}

/// The 403 page's `<main>` for `message`.
pub fn forbidden_main(message: &str) -> String {
    squeeze(&format!(
        "<main id=\"main\" tabindex=\"-1\">
<h1>Not allowed</h1>
<p>{message}</p>
<p><a href=\"/console/\">Back to the console</a></p>
</main>"
    ))
}

/// What a form without the session's token is answered.
pub const EXPIRED_FORM: &str =
    "This form has expired or did not come from this console. Reload the page and try again.";

/// What a request from another site is answered.
pub const OTHER_SITE: &str = "This request came from another site, so the console did not act \
on it. Use the console&#39;s own pages.";

/// The console database, opened as the app is configured.
pub fn database(app: &TestApp) -> service_kit::Database {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    console::config::DATABASE
        .open(&config, Some(&app.vars))
        .expect("the console database")
}

/// Runs `sql` on the console database.
pub fn execute(app: &TestApp, sql: &str) {
    database(app)
        .run_now(|conn| Ok(diesel::sql_query(sql).execute(conn)?))
        .expect("executed");
}

#[derive(diesel::QueryableByName)]
pub struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// The `n` that `sql` counts.
pub fn count(app: &TestApp, sql: &str) -> i64 {
    database(app)
        .run_now(|conn| Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.n))
        .expect("counted")
}
