//! A case's evidence shown inline and downloaded: the page for a PDF and
//! a PNG, the content's bytes and headers, and what is refused.

use crate::flow::{pdf, png, spawn, submitted};
use crate::helpers::*;
use reqwest::header::COOKIE;
use reqwest::StatusCode;
use testkit::{backend_tests, Backend, TestApp};

backend_tests!(evidence_is_shown_and_downloaded, evidence_is_refused);

/// The document CSP.
const DOCUMENT_CSP: &str = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// `GET path` with `cookie`: status, headers and the bytes.
async fn bytes(
    app: &TestApp,
    path: &str,
    cookie: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = client()
        .get(format!("{}{path}", app.url))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("sent");
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        headers,
        response.bytes().await.expect("bytes").to_vec(),
    )
}

async fn evidence_is_shown_and_downloaded(backend: Backend) {
    let app = spawn(backend).await;
    let done = submitted(&app, "virat").await;
    let me = sign_in(&app, "viewer", &["case:read"]).await;
    let case = &done.case_id;

    // The PDF: in an <object>, with a download link inside.
    let page = get(
        &app,
        &format!("/console/cases/{case}/evidence/{}", done.pdf),
        &me.cookie,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("content-security-policy"), CSP);
    let main = page.main();
    let content = format!("/console/cases/{case}/evidence/{}/content", done.pdf);
    let start = main
        .find(&format!("<p><a href=\"{content}?download=1\""))
        .expect("the download link");
    let end = main.find("</main>").expect("its end");
    assert_eq!(
        main[start..end].trim_end(),
        squeeze(&format!(
            "<p><a href=\"{content}?download=1\" download>Download payslip march.pdf</a></p>
<section class=\"preview\" aria-labelledby=\"preview-heading\">
<h2 id=\"preview-heading\">Preview</h2>
<object type=\"application/pdf\" data=\"{content}\" title=\"payslip march.pdf\">
  <p>This browser cannot show the PDF here. <a href=\"{content}?download=1\" download>Download payslip march.pdf</a> to read it.</p>
</object>
</section>"
        ))
    );
    assert!(
        main.starts_with(&squeeze(&format!(
            "<main id=\"main\" tabindex=\"-1\">
<h1>payslip march.pdf</h1>
<p><a href=\"/console/cases/{case}?tab=evidence\">Back to the evidence of case {case}</a></p>
<dl class=\"facts\">
  <dt>Case</dt><dd>{case}</dd>"
        ))),
        "{main}"
    );
    assert!(
        main.contains("<dt>Type</dt><dd>application/pdf</dd>"),
        "{main}"
    );

    // Its bytes, inline, with the document's own policy.
    let (status, headers, body) = bytes(&app, &content, &me.cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, pdf());
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().expect("text").to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(header("content-disposition").as_deref(), Some("inline"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(
        header("content-security-policy").as_deref(),
        Some(DOCUMENT_CSP)
    );
    assert_eq!(header("x-frame-options").as_deref(), Some("SAMEORIGIN"));

    // Downloaded: an attachment named as uploaded.
    let (status, headers, body) = bytes(&app, &format!("{content}?download=1"), &me.cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, pdf());
    assert_eq!(
        headers.get("content-disposition").expect("disposition"),
        "attachment; filename*=UTF-8''payslip%20march.pdf"
    );

    // The PNG: in an <img>, its bytes served as a PNG.
    let page = get(
        &app,
        &format!("/console/cases/{case}/evidence/{}", done.png),
        &me.cookie,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let content = format!("/console/cases/{case}/evidence/{}/content", done.png);
    assert!(page.main().contains(&format!(
        "<h2 id=\"preview-heading\">Preview</h2> <img src=\"{content}\" alt=\"licence.png, as the applicant uploaded it\"> </section>"
    )), "{}", page.main());
    let (status, headers, body) = bytes(&app, &content, &me.cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, png());
    assert_eq!(headers.get("content-type").expect("type"), "image/png");
}

async fn evidence_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let first = submitted(&app, "virat").await;
    let second = submitted(&app, "asha").await;
    let me = sign_in(&app, "viewer", &["case:read"]).await;

    // Another case's document, an unknown case or document: no such page.
    let unknown = "00000000-0000-4000-8000-000000000000";
    for path in [
        format!("/console/cases/{}/evidence/{}", first.case_id, second.pdf),
        format!(
            "/console/cases/{}/evidence/{}/content",
            first.case_id, second.pdf
        ),
        format!("/console/cases/{}/evidence/{unknown}", first.case_id),
        format!(
            "/console/cases/{}/evidence/{unknown}/content",
            first.case_id
        ),
        format!("/console/cases/CA9999999999/evidence/{}", first.pdf),
    ] {
        let page = get(&app, &path, &me.cookie).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.body);
        assert!(page.main().contains("<h1>Page not found</h1>"), "{path}");
    }

    // Ids that cannot be: refused, naming them.
    for (path, message) in [
        (
            format!("/console/cases/{}/evidence/NOT-A-UUID", first.case_id),
            "&#34;NOT-A-UUID&#34; is not a document id: a document id is a lower-case UUID. Open the document from its case&#39;s evidence tab.",
        ),
        (
            format!("/console/cases/{}/evidence/NOT-A-UUID/content", first.case_id),
            "&#34;NOT-A-UUID&#34; is not a document id: a document id is a lower-case UUID. Open the document from its case&#39;s evidence tab.",
        ),
        (
            format!("/console/cases/{}/evidence/{}", "C".repeat(65), first.pdf),
            &format!("&#34;{}&#34; is not a case id: a case id has 1 to 64 characters. Check the address, or open the case from the inbox.", "C".repeat(65)),
        ),
    ] {
        let page = get(&app, &path, &me.cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            page.main(),
            squeeze(&format!(
                "<main id=\"main\" tabindex=\"-1\"> <h1>Not a valid address</h1> <p>{message}</p> <p><a href=\"/console/\">Back to the console</a></p> </main>"
            )),
            "{path}"
        );
    }

    // case:read is needed, for the page and the bytes.
    let rm = sign_in(&app, "riya.rm", &["application:read"]).await;
    for path in [
        format!("/console/cases/{}/evidence/{}", first.case_id, first.pdf),
        format!(
            "/console/cases/{}/evidence/{}/content",
            first.case_id, first.pdf
        ),
    ] {
        let page = get(&app, &path, &rm.cookie).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            page.main(),
            forbidden_main("Your roles do not include reading cases (case:read). Ask your administrator if you need them.")
        );
    }
    assert_sent_to_sign_in(
        &get(
            &app,
            &format!("/console/cases/{}/evidence/{}", first.case_id, first.pdf),
            "",
        )
        .await,
    );
}
