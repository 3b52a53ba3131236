//! The sign-in page and the development sign-in: where it is offered,
//! the cookie it sets, and where it is not offered at all.

use crate::helpers::*;
use reqwest::StatusCode;
use testkit::{backend_tests, Backend};

backend_tests!(
    the_sign_in_page_offers_the_development_sign_in,
    development_sign_in_sets_the_session_cookie_with_its_flags,
    a_public_https_url_makes_the_cookie_secure_and_host_only,
    the_form_is_refused_without_its_token_and_signs_nobody_in,
    a_form_with_no_name_or_no_role_is_sent_back,
    development_sign_in_is_absent_where_not_allowed,
);

async fn the_sign_in_page_offers_the_development_sign_in(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let page = get(&app, "/console/sign-in", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(
        page.main(),
        squeeze(
            "<main id=\"main\" tabindex=\"-1\">
<h1>Sign in</h1>
<p>This console runs for development: sign in with a name and the roles you choose.</p>
<p><a class=\"button\" href=\"/console/auth/dev\">Development sign-in</a></p>
</main>"
        )
    );
    // The layout: a skip link to <main>, no navigation before sign-in.
    assert!(page
        .body
        .contains("<a class=\"skip-link\" href=\"#main\">Skip to main content</a>"));
    assert!(!page.body.contains("<nav"), "{}", page.body);

    let (form, _) = dev_form(&app).await;
    let csrf = form.csrf_field();
    assert_eq!(
        form.main(),
        squeeze(&format!(
            "<main id=\"main\" tabindex=\"-1\">
<h1>Development sign-in</h1>
<p>For development only: you are whoever you type, with the roles you tick.</p>
<form method=\"post\" action=\"/console/auth/dev\" class=\"stack\">
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">
<p>
<label for=\"name\">Name</label>
<input id=\"name\" name=\"name\" type=\"text\" value=\"\" required maxlength=\"64\" autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"name-hint\">
<span class=\"hint\" id=\"name-hint\">Letters, digits, and . _ @ - (at most 64).</span>
</p>
<fieldset>
<legend>Roles</legend>
<p class=\"choice\">
<input type=\"checkbox\" id=\"role-1\" name=\"case:read\" value=\"on\" checked>
<label for=\"role-1\"><code>case:read</code>: Read cases</label>
</p>
<p class=\"choice\">
<input type=\"checkbox\" id=\"role-2\" name=\"case:write\" value=\"on\">
<label for=\"role-2\"><code>case:write</code>: Work on cases: assign, lock, decide</label>
</p>
<p class=\"choice\">
<input type=\"checkbox\" id=\"role-3\" name=\"application:read\" value=\"on\">
<label for=\"role-3\"><code>application:read</code>: Relationship manager: read applications</label>
</p>
</fieldset>
<p><button type=\"submit\">Sign in</button></p>
</form>
</main>"
        ))
    );
    assert_eq!(csrf.len(), 43, "32 random bytes, base64url");
}

async fn development_sign_in_sets_the_session_cookie_with_its_flags(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let (form, login) = dev_form(&app).await;
    assert_eq!(
        form.cookie("console_login").expect("the login cookie")[1..],
        ["HttpOnly", "SameSite=Strict", "Path=/console/"]
    );
    let csrf = form.csrf_field();
    assert_eq!(login, format!("console_login={csrf}"), "double submit");
    let fields = [
        ("name", "analyst-1"),
        ("case:write", "on"),
        ("application:read", "on"),
        ("csrf", csrf.as_str()),
    ];
    let signed = post(&app, "/console/auth/dev", &login, &[], &fields).await;
    assert_eq!(
        (
            signed.status,
            signed.header("location"),
            signed.body.as_str()
        ),
        (StatusCode::SEE_OTHER, "/console/", "")
    );
    let session = signed.cookie("console").expect("the session cookie");
    let token = session[0].strip_prefix("console=").expect("a value");
    assert_eq!(token.len(), 43, "32 random bytes, base64url");
    // HttpOnly, SameSite=Strict, not Secure (plain HTTP on loopback), and
    // no Max-Age: it goes when the browser closes.
    assert_eq!(
        session[1..],
        ["HttpOnly", "SameSite=Strict", "Path=/console/"]
    );
    // The login cookie is spent.
    let spent = signed.cookie("console_login").expect("removed");
    assert_eq!(spent[0], "console_login=");
    assert!(spent.contains(&"Max-Age=0".to_owned()), "{spent:?}");

    let home = get(&app, "/console/", &session[0]).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        home.main(),
        squeeze(
            "<main id=\"main\" tabindex=\"-1\">
<h1>Welcome, analyst-1</h1>
<dl class=\"facts\">
<dt>Signed in as</dt>
<dd><code>analyst-1</code></dd>
<dt>Roles</dt>
<dd>
<ul>
<li><code>case:write</code>: Work on cases: assign, lock, decide</li>
<li><code>application:read</code>: Relationship manager: read applications</li>
</ul>
</dd>
</dl>
<h2>What is here</h2>
<ul>
<li><a href=\"/console/cases\">Cases</a>: the case inbox, each case&#39;s details, and the actions on it.</li>
<li><a href=\"/console/applications\">Applications</a>: every application with its status, what waits for the applicant, requests for help, and its case.</li>
</ul>
</main>"
        )
    );
    // Signed in, the sign-in page sends you home.
    let again = get(&app, "/console/sign-in", &session[0]).await;
    assert_eq!(
        (again.status, again.header("location")),
        (StatusCode::SEE_OTHER, "/console/")
    );
}

async fn a_public_https_url_makes_the_cookie_secure_and_host_only(backend: Backend) {
    let app = spawn(
        backend,
        &[("CONSOLE_PUBLIC_URL", "https://console.bank.example")],
    )
    .await;
    let form = get(&app, "/console/auth/dev", "").await;
    let login = form
        .cookie("__Host-console-login")
        .expect("the login cookie");
    assert_eq!(
        login[1..],
        ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"]
    );
    let fields = [
        ("name", "analyst-1"),
        ("case:read", "on"),
        ("csrf", &form.csrf_field()),
    ];
    let headers = [("origin", "https://console.bank.example")];
    let signed = post(&app, "/console/auth/dev", &login[0], &headers, &fields).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let session = signed.cookie("__Host-console").expect("the session cookie");
    assert_eq!(
        session[1..],
        ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"]
    );
    assert_eq!(
        get(&app, "/console/", &session[0]).await.status,
        StatusCode::OK
    );
    // The configured origin is the only one whose forms are taken.
    let local = [("origin", app.url.as_str())];
    let refused = post(&app, "/console/auth/dev", &login[0], &local, &fields).await;
    assert_eq!(
        (refused.status, refused.main()),
        (StatusCode::FORBIDDEN, forbidden_main(OTHER_SITE))
    );
}

async fn the_form_is_refused_without_its_token_and_signs_nobody_in(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let (form, login) = dev_form(&app).await;
    let csrf = form.csrf_field();
    let message = "This sign-in form has expired or did not come from this console. Open the \
                   sign-in page again.";
    let other = dev_form(&app).await.1;
    let wrong = "x".repeat(43);
    for (what, cookies, token) in [
        ("no token", login.as_str(), ""),
        ("a wrong token", login.as_str(), wrong.as_str()),
        ("no cookie", "", csrf.as_str()),
        ("another form's cookie", other.as_str(), csrf.as_str()),
    ] {
        let fields = [("name", "mallory"), ("case:write", "on"), ("csrf", token)];
        let refused = post(&app, "/console/auth/dev", cookies, &[], &fields).await;
        assert_eq!(
            (refused.status, refused.main()),
            (StatusCode::FORBIDDEN, forbidden_main(message)),
            "{what}"
        );
        assert!(refused.cookie("console").is_none(), "{what}: no session");
    }
    // A form posted from another site is refused before its token is read.
    let fields = [
        ("name", "mallory"),
        ("case:write", "on"),
        ("csrf", csrf.as_str()),
    ];
    for headers in [
        [("origin", "https://evil.example")],
        [("sec-fetch-site", "cross-site")],
        [("sec-fetch-site", "same-site")],
    ] {
        let refused = post(&app, "/console/auth/dev", &login, &headers, &fields).await;
        assert_eq!(
            (refused.status, refused.main()),
            (StatusCode::FORBIDDEN, forbidden_main(OTHER_SITE)),
            "{headers:?}"
        );
        assert!(refused.cookie("console").is_none());
    }
    // The browser's own same-origin POST is taken.
    let own = [
        ("origin", app.url.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    let signed = post(&app, "/console/auth/dev", &login, &own, &fields).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
}

async fn a_form_with_no_name_or_no_role_is_sent_back(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let (form, login) = dev_form(&app).await;
    let csrf = form.csrf_field();
    for (name, role, error) in [
        (
            "",
            Some("case:read"),
            "Enter a name of 1 to 64 letters, digits, or . _ @ -.",
        ),
        (
            "<script>",
            Some("case:read"),
            "Enter a name of 1 to 64 letters, digits, or . _ @ -.",
        ),
        ("analyst-1", None, "Tick at least one role."),
    ] {
        let mut fields = vec![("name", name), ("csrf", csrf.as_str())];
        fields.extend(role.map(|r| (r, "on")));
        let back = post(&app, "/console/auth/dev", &login, &[], &fields).await;
        assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let main = back.main();
        assert!(
            main.contains(&format!(
                "<p class=\"error\" id=\"form-error\" role=\"alert\">{error}</p>"
            )),
            "{main}"
        );
        // What was typed comes back, escaped; the same token goes on.
        let typed = name.replace('<', "&#60;").replace('>', "&#62;");
        assert!(main.contains(&format!("value=\"{typed}\"")), "{main}");
        assert_eq!(back.csrf_field(), csrf);
        assert!(back.cookie("console").is_none());
    }
}

async fn development_sign_in_is_absent_where_not_allowed(backend: Backend) {
    // Reachable by others (HOST 0.0.0.0), without DEV_MODE.
    let app = spawn(
        backend,
        &[
            ("HOST", "0.0.0.0"),
            ("CONSOLE_PUBLIC_URL", "https://console.bank.example"),
            ("ENCRYPTION_KEYS", testkit::KEY_A),
            ("BLIND_INDEX_KEY", testkit::BLIND_INDEX_KEY),
        ],
    )
    .await;
    let page = get(&app, "/console/sign-in", "").await;
    assert_eq!(
        (page.status, page.main()),
        (
            StatusCode::OK,
            squeeze(
                "<main id=\"main\" tabindex=\"-1\">
<h1>Sign in</h1>
<p>No way to sign in is configured here. Set <code>CONSOLE_OIDC_ISSUER</code> and <code>CONSOLE_OIDC_CLIENT_ID</code> to sign in through the bank's identity provider (OpenID Connect).</p>
<p>For development, start the console with <code>DEV_MODE=true</code>, or run every service on a loopback address (<code>cargo run --release</code>).</p>
</main>"
            )
        )
    );
    let not_found = squeeze(
        "<main id=\"main\" tabindex=\"-1\">
<h1>Page not found</h1>
<p>There is no such page in the console. Check the address, or start again from the console&#39;s home page.</p>
<p><a href=\"/console/\">Back to the console</a></p>
</main>",
    );
    let form = get(&app, "/console/auth/dev", "").await;
    assert_eq!(
        (form.status, form.main()),
        (StatusCode::NOT_FOUND, not_found.clone())
    );
    assert!(form.set_cookies().is_empty());
    let fields = [("name", "mallory"), ("case:write", "on"), ("csrf", "x")];
    let posted = post(&app, "/console/auth/dev", "console_login=x", &[], &fields).await;
    assert_eq!(
        (posted.status, posted.main()),
        (StatusCode::NOT_FOUND, not_found)
    );
    assert!(posted.set_cookies().is_empty());

    // DEV_MODE=true offers it there too.
    let mut app = app;
    app.restart(&[("DEV_MODE", Some("true"))], &build).await;
    assert_eq!(
        get(&app, "/console/auth/dev", "").await.status,
        StatusCode::OK
    );
}
