//! The case inbox: filters, search, sorting, pages with totals, the empty
//! state, htmx's results alone, and who may open it.

use crate::helpers::*;
use crate::world::{cases, region, spawn};
use reqwest::{Method, StatusCode};
use testkit::{backend_tests, Backend};

backend_tests!(
    the_inbox_filters_searches_and_pages,
    the_inbox_says_what_to_do_when_empty,
    htmx_gets_the_results_alone,
    bad_filters_are_refused_naming_the_field,
    the_inbox_needs_a_case_role,
);

/// The rows' case ids, in order.
fn listed(body: &str) -> Vec<String> {
    body.split("<th scope=\"row\"><a href=\"/console/cases/")
        .skip(1)
        .map(|rest| rest.split('"').next().expect("an id").to_owned())
        .collect()
}

/// The live region's text.
fn summary(body: &str) -> String {
    region(body, "p", "results-status")
}

async fn the_inbox_filters_searches_and_pages(backend: Backend) {
    let app = spawn(backend, &[]).await;
    cases(&app, 30).await;
    let me = sign_in(&app, "analyst-1", &["case:read"]).await;

    let first = get(&app, "/console/cases?sort=caseId", &me.cookie).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        summary(&first.body),
        "<p id=\"results-status\" class=\"status\" role=\"status\" aria-live=\"polite\">1–25 of 30 cases.</p>"
    );
    let ids: Vec<String> = (1..=25).map(|i| format!("CA{i:02}")).collect();
    assert_eq!(listed(&first.body), ids);
    // The pager: the page shown is marked, the next one is a link.
    assert!(first.body.contains(
        "<nav class=\"pager\" aria-label=\"Pages of cases\" hx-boost=\"true\" hx-target=\"#results\" hx-push-url=\"true\">"
    ));
    assert!(first
        .body
        .contains("<li><a href=\"/console/cases?sort=caseId\" aria-current=\"page\">1</a></li>"));
    assert!(first
        .body
        .contains("<li><a href=\"/console/cases?sort=caseId&#38;page=2\">Next page</a></li>"));
    let second = get(&app, "/console/cases?sort=caseId&page=2", &me.cookie).await;
    assert!(summary(&second.body).contains(">26–30 of 30 cases.<"));
    assert_eq!(
        listed(&second.body),
        ["CA26", "CA27", "CA28", "CA29", "CA30"]
    );
    // Sorted the other way by the column heading's link.
    assert!(first.body.contains(
        "<th scope=\"col\" aria-sort=\"ascending\"><a href=\"/console/cases?sort=caseId&#38;order=desc\">Case</a></th>"
    ));
    let reversed = get(&app, "/console/cases?sort=caseId&order=desc", &me.cookie).await;
    assert_eq!(listed(&reversed.body)[..2], ["CA30", "CA29"]);

    // Overdue: said in words, not only in colour.
    let overdue = get(&app, "/console/cases?overdue=on", &me.cookie).await;
    assert_eq!(listed(&overdue.body), ["CA01"]);
    assert_eq!(
        region(&overdue.body, "section", "results"),
        squeeze(
            "<section id=\"results\" aria-labelledby=\"results-heading\">
<h2 id=\"results-heading\">Results</h2>
<table class=\"cases\">
  <caption>1 case.</caption>
  <thead hx-boost=\"true\" hx-target=\"#results\" hx-push-url=\"true\">
    <tr>
      <th scope=\"col\" aria-sort=\"none\"><a href=\"/console/cases?overdue=on&#38;sort=caseId&#38;order=asc\">Case</a></th>
      <th scope=\"col\">Type</th>
      <th scope=\"col\">Status</th>
      <th scope=\"col\" aria-sort=\"none\"><a href=\"/console/cases?overdue=on&#38;sort=priority&#38;order=asc\">Priority</a></th>
      <th scope=\"col\" aria-sort=\"ascending\"><a href=\"/console/cases?overdue=on&#38;sort=dueDate&#38;order=desc\">Due date</a></th>
      <th scope=\"col\">Assigned to</th>
      <th scope=\"col\">Customer</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th scope=\"row\"><a href=\"/console/cases/CA01\">CA01</a></th>
      <td>KYC</td>
      <td>New</td>
      <td>High</td>
      <td>2020-01-01 <strong class=\"overdue\">Overdue</strong></td>
      <td>analyst-1</td>
      <td>—</td>
    </tr>
  </tbody>
</table>
</section>"
        )
    );
    // Mine, a type, a priority, a status.
    let tens: Vec<String> = (10..=19).map(|i| format!("CA{i}")).collect();
    let tens: Vec<&str> = tens.iter().map(String::as_str).collect();
    for (query, expected) in [
        ("assignee=mine", vec!["CA01"]),
        ("type=AML", vec!["CA02"]),
        ("priority=High", vec!["CA01"]),
        ("status=NW&q=CA1", tens),
        ("q=CA05", vec!["CA05"]),
        ("status=CLS", vec![]),
    ] {
        let page = get(
            &app,
            &format!("/console/cases?sort=caseId&{query}"),
            &me.cookie,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(listed(&page.body), expected, "{query}");
    }
    // The form keeps what was chosen.
    let kept = get(
        &app,
        "/console/cases?status=NW&priority=High&assignee=mine&overdue=on&q=CA0",
        &me.cookie,
    )
    .await;
    for control in [
        "<option value=\"NW\" selected>New</option>",
        "<option value=\"High\" selected>High</option>",
        "<option value=\"mine\" selected>Me</option>",
        "<input id=\"f-overdue\" name=\"overdue\" type=\"checkbox\" value=\"on\" checked>",
        "value=\"CA0\"",
    ] {
        assert!(kept.body.contains(control), "{control}");
    }
}

async fn the_inbox_says_what_to_do_when_empty(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let me = sign_in(&app, "analyst-1", &["case:read"]).await;
    let none = get(&app, "/console/cases", &me.cookie).await;
    assert_eq!(
        region(&none.body, "section", "results"),
        squeeze(
            "<section id=\"results\" aria-labelledby=\"results-heading\">
<h2 id=\"results-heading\">Results</h2>
<div class=\"empty\">
  <p>There are no cases yet.</p>
  <p>Cases appear here when an application is submitted or events are promoted to a case.</p>
</div>
</section>"
        )
    );
    cases(&app, 2).await;
    let filtered = get(&app, "/console/cases?q=nothing-like-this", &me.cookie).await;
    assert!(summary(&filtered.body).contains(">No cases match.<"));
    assert!(region(&filtered.body, "section", "results").contains(
        "<p>No case matches these filters.</p> <p>Clear a filter or the search, or <a href=\"/console/cases\">show every case</a>.</p>"
    ));
}

async fn htmx_gets_the_results_alone(backend: Backend) {
    let app = spawn(backend, &[]).await;
    cases(&app, 3).await;
    let me = sign_in(&app, "analyst-1", &["case:read"]).await;
    let headers = [("HX-Request", "true"), ("HX-Target", "results")];
    let page = send(
        &app,
        Method::GET,
        "/console/cases?q=CA03",
        &me.cookie,
        &headers,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("vary"), "HX-Request, HX-Target");
    assert!(
        page.body.starts_with("<section id=\"results\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<html"));
    // The live region comes out of band, so the count is announced.
    assert!(page.body.contains(
        "<p id=\"results-status\" class=\"status\" role=\"status\" aria-live=\"polite\" hx-swap-oob=\"true\">1 case.</p>"
    ));
    // A history restore gets the whole page.
    let restore = [
        ("HX-Request", "true"),
        ("HX-Target", "results"),
        ("HX-History-Restore-Request", "true"),
    ];
    let whole = send(
        &app,
        Method::GET,
        "/console/cases",
        &me.cookie,
        &restore,
        None,
    )
    .await;
    assert!(whole.body.starts_with("<!DOCTYPE html>"));
}

async fn bad_filters_are_refused_naming_the_field(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let me = sign_in(&app, "analyst-1", &["case:read"]).await;
    for (query, message) in [
        ("page=0", "Page: must be a whole number from 1 to 401."),
        ("page=x", "Page: must be a whole number from 1 to 401."),
        (
            "status=DONE",
            "Status: choose one of NW, INV, ESC, CLS, APR, REJ, RFI, WDN.",
        ),
        (
            "priority=urgent",
            "Priority: choose one of Low, Medium, High.",
        ),
        (
            "assignee=bob",
            "Assigned to: choose one of mine, unassigned, any.",
        ),
        (
            "sort=name",
            "Sort by: choose one of dueDate, priority, createdOn, statusChanged, caseId.",
        ),
        ("order=up", "Order: choose one of asc, desc."),
        ("overdue=yes", "Overdue only: choose one of on."),
    ] {
        let page = get(&app, &format!("/console/cases?{query}"), &me.cookie).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.body
                .contains(&format!("<p class=\"error\" role=\"alert\">{message}</p>")),
            "{query}: {}",
            page.body
        );
    }
    let long = format!("/console/cases?q={}", "x".repeat(65));
    let page = get(&app, &long, &me.cookie).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Search: enter at most 64 characters."));
}

async fn the_inbox_needs_a_case_role(backend: Backend) {
    let app = spawn(backend, &[]).await;
    assert_sent_to_sign_in(&get(&app, "/console/cases", "").await);
    let rm = sign_in(&app, "rm-1", &["application:read"]).await;
    let page = get(&app, "/console/cases", &rm.cookie).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.main(),
        forbidden_main("Your roles do not include reading cases (case:read). Ask your administrator if you need them.")
    );
}
