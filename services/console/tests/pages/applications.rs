//! The applications screen, over applications made through the CAM API:
//! each with its status, applicants, what waits for the applicant, its
//! requests for help and its case; the filters, the pages, and who may
//! see it.

use crate::flow::{listed, spawn, submitted, Applicant};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    applications_are_listed_with_their_requests,
    filters_and_pages,
    bad_filters_are_named,
    only_relationship_managers_see_applications,
);

/// The row of application `id` as the table shows it, with `middle` its
/// applicants, pending and requests cells.
async fn row(app: &TestApp, id: &str, status: &str, middle: &str, case: &str) -> String {
    let listed = listed(app, id).await.expect("listed");
    let since = listed["updatedAt"].as_str().expect("updatedAt");
    squeeze(&format!(
        "<tr> <th scope=\"row\">{id}</th> <td>{status}<br><span class=\"meta\">since {since}</span></td> {middle} <td>{case}</td> </tr>"
    ))
}

async fn applications_are_listed_with_their_requests(backend: Backend) {
    let app = spawn(backend).await;
    let done = submitted(&app, "virat").await;
    let asha = Applicant::new(&app, "asha");
    let (waiting, _) = asha.start("Asha", "Verma").await;
    asha.call(
        "UserAction/notifyRM",
        &json!({"Message": "Which payslips do you need?"}),
    )
    .await;
    let asked = listed(&app, &waiting).await.expect("listed");
    let at = asked["rmRequests"][0]["createdAt"].as_str().expect("at");

    let rm = sign_in(&app, "riya.rm", &["application:read"]).await;
    let page = get(&app, "/console/applications", &rm.cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("vary"), "HX-Request, HX-Target");
    let main = page.main();
    assert!(
        main.contains("<p id=\"results-status\" class=\"status\" role=\"status\" aria-live=\"polite\">2 applications.</p>"),
        "{main}"
    );
    assert!(main.contains("<caption>2 applications.</caption>"));
    // Asha's, changed last, first: nothing answered, one request.
    let asha_row = row(
        &app,
        &waiting,
        "In progress",
        &format!(
            "<td>Asha Verma (applicant)</td> <td> <ul> <li>ProofOfIncomeEmployed: not answered yet</li> <li>DriverLicense: not answered yet</li> <li>OptionalQuestion: not answered yet</li> <li>TimeOnCurrentAddress: not answered yet</li> </ul></td> <td> <ul> <li>Which payslips do you need? <span class=\"meta\">({at})</span></li> </ul></td>"
        ),
        "None yet",
    )
    .await;
    assert!(main.contains(&asha_row), "{asha_row}\n{main}");
    let case_link = format!("<a href=\"/console/cases/{0}\">{0}</a>", done.case_id);
    let virat_row = row(
        &app,
        &done.application,
        "Under review",
        "<td>Virat Kohli (applicant)</td> <td> <ul> <li>OptionalQuestion: not answered yet</li> </ul></td> <td>None</td>",
        &case_link,
    )
    .await;
    assert!(main.contains(&virat_row), "{virat_row}\n{main}");
    assert!(main.find(&asha_row) < main.find(&virat_row));
    assert!(!main.contains("class=\"pager\""), "one page: {main}");
}

async fn filters_and_pages(backend: Backend) {
    let app = spawn(backend).await;
    let done = submitted(&app, "virat").await;
    for i in 0..25 {
        Applicant::new(&app, &format!("applicant-{i}"))
            .start("Asha", "Verma")
            .await;
    }
    let asha = Applicant::new(&app, "applicant-24");
    asha.call("UserAction/notifyRM", &json!({"Message": "Help?"}))
        .await;
    let rm = sign_in(&app, "riya.rm", &["application:read"]).await;

    // Under review: Virat's alone.
    let page = get(&app, "/console/applications?status=UnderReview", &rm.cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let main = page.main();
    assert!(main.contains("<caption>1 application.</caption>"), "{main}");
    assert!(main.contains(&format!("<th scope=\"row\">{}</th>", done.application)));
    assert!(main.contains("<option value=\"UnderReview\" selected>Under review</option>"));

    // Open requests only: the one who asked.
    let page = get(&app, "/console/applications?open=on", &rm.cookie).await;
    let main = page.main();
    assert!(main.contains("<caption>1 application.</caption>"), "{main}");
    assert!(main.contains("<li>Help? <span class=\"meta\">("));
    assert!(
        main.contains("<input id=\"f-open\" name=\"open\" type=\"checkbox\" value=\"on\" checked>")
    );

    // Nothing matches: the empty state says what to do.
    let page = get(
        &app,
        "/console/applications?status=Approved&open=on",
        &rm.cookie,
    )
    .await;
    assert!(page.main().contains("<div class=\"empty\"> <p>No application matches these filters.</p> <p>Choose another status or clear \"Open requests only\", or <a href=\"/console/applications\">show every application</a>.</p> </div>"), "{}", page.main());

    // 26 in all: 25, then the next page by its cursor.
    let page = get(&app, "/console/applications", &rm.cookie).await;
    let main = page.main();
    assert!(
        main.contains("<caption>Showing 25 of 26 applications.</caption>"),
        "{main}"
    );
    let marker = "<li><a href=\"/console/applications?cursor=";
    let at = main.find(marker).expect("a next page link") + "<li><a href=\"".len();
    let next = main[at..].split('"').next().expect("href").to_owned();
    assert!(main.contains(&format!("<nav class=\"pager\" aria-label=\"Pages of applications\" hx-boost=\"true\" hx-target=\"#results\" hx-push-url=\"true\"> <ul> <li><a href=\"{next}\">Next page</a></li> </ul> </nav>")), "{main}");
    let second = get(&app, &next.replace("&amp;", "&"), &rm.cookie).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let main = second.main();
    assert!(
        main.contains("<caption>Showing 1 of 26 applications.</caption>"),
        "{main}"
    );
    assert!(
        main.contains(&format!("<th scope=\"row\">{}</th>", done.application)),
        "the oldest last: {main}"
    );
    assert!(
        main.contains("<li><a href=\"/console/applications\">First page</a></li>"),
        "{main}"
    );

    // htmx asks for the results alone.
    let partial = send(
        &app,
        reqwest::Method::GET,
        "/console/applications?status=UnderReview",
        &rm.cookie,
        &[("HX-Request", "true"), ("HX-Target", "results")],
        None,
    )
    .await;
    assert!(
        partial
            .body
            .starts_with("<section id=\"results\" aria-labelledby=\"results-heading\">"),
        "{}",
        partial.body
    );
    assert!(partial
        .body
        .contains("hx-swap-oob=\"true\">1 application.</p>"));
}

async fn bad_filters_are_named(backend: Backend) {
    let app = spawn(backend).await;
    let rm = sign_in(&app, "riya.rm", &["application:read"]).await;
    for (query, error) in [
        ("status=Lost", "Status: choose one of InProgress, Submitted, UnderReview, Approved, Rejected, Withdrawn."),
        ("open=yes", "Open requests only: tick it or leave it clear."),
    ] {
        let page = get(&app, &format!("/console/applications?{query}"), &rm.cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.main().contains(&format!("<p class=\"error\" role=\"alert\">{error}</p>")),
            "{query}: {}",
            page.main()
        );
    }
    // A cursor this screen did not give: the first page, saying so.
    let page = get(&app, "/console/applications?cursor=nonsense", &rm.cookie).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.main().contains("<p class=\"error\" role=\"alert\">That page could not be shown: its link is not one this screen gave. This is the first page.</p>"), "{}", page.main());
    assert!(page
        .main()
        .contains("<p>There are no applications yet.</p>"));
}

async fn only_relationship_managers_see_applications(backend: Backend) {
    let app = spawn(backend).await;
    let worker = sign_in(&app, "case.worker", &["case:read", "case:write"]).await;
    let page = get(&app, "/console/applications", &worker.cookie).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.main(),
        forbidden_main("Your roles do not include reading applications (application:read). Ask your administrator if you need them.")
    );
    assert_sent_to_sign_in(&get(&app, "/console/applications", "").await);
}
