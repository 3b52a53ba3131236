//! A case's page: its header and tabs (real links, each a page of its
//! own list), the lock as others see it, and what a reader is shown.

use crate::helpers::*;
use crate::world::{application_case, done, promoted_case, spawn};
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, Backend};

backend_tests!(
    every_tab_is_a_page_of_its_own,
    lists_page_by_their_cursors,
    a_reader_sees_no_action,
    an_unknown_case_or_tab_is_not_found,
);

/// The tab bar with `current` marked.
fn tab_bar(current: &str) -> String {
    let tabs = [
        ("customers", "Customers"),
        ("accounts", "Accounts"),
        ("transactions", "Transactions"),
        ("entities", "External entities"),
        ("events", "Events"),
        ("evidence", "Evidence"),
        ("narratives", "Narratives"),
        ("audit", "Audit trail"),
    ];
    let links = tabs
        .iter()
        .map(|(tab, label)| {
            let mark = if *tab == current {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<li><a href=\"/console/cases/CA1?tab={tab}\"{mark}>{label}</a></li>")
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!("<nav class=\"tabs\" aria-label=\"Case details\"> <ul> {links} </ul> </nav>")
}

async fn every_tab_is_a_page_of_its_own(backend: Backend) {
    let app = spawn(backend, &[]).await;
    promoted_case(&app).await;
    done(
        &app,
        "addNarrative",
        &json!([{"caseId": "CA1", "narrative": "Called the branch."}]),
    )
    .await;
    let me = sign_in(&app, "viewer", &["case:read"]).await;
    let page = get(&app, "/console/cases/CA1", &me.cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let main = page.main();
    assert!(
        main.starts_with("<main id=\"main\" tabindex=\"-1\"> <h1>Case CA1</h1>"),
        "{main}"
    );
    assert!(main.contains(&tab_bar("customers")), "{main}");
    assert!(main.contains("<dt>Status</dt><dd>New</dd>"));
    assert!(main.contains("<dt>Priority</dt><dd>Low</dd>"));
    assert!(main.contains("<dt>Assigned to</dt><dd>No one</dd>"));
    assert!(main.contains("<dt>Application</dt><dd>None</dd>"));
    assert!(main.contains("<caption>Customers of case CA1</caption>"));
    assert!(main.contains("<th scope=\"row\">CUST-1</th>"), "{main}");
    for (tab, shows) in [
        ("accounts", "<p>This case has no accounts.</p>"),
        ("transactions", "<p>This case has no transactions.</p>"),
        ("entities", "<p>This case has no external entities.</p>"),
        ("events", "<th scope=\"row\">EV1</th> <td>AML</td> <td>—</td> <td>Not decided</td>"),
        ("evidence", "<p>This case has no evidence: documents appear here when it is an application's case.</p>"),
        ("narratives", "<li><p class=\"meta\">setup, "),
        ("audit", "<td>setup</td> <td>narrativeAdded</td>"),
    ] {
        let page = get(&app, &format!("/console/cases/CA1?tab={tab}"), &me.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{tab}");
        let main = page.main();
        assert!(main.contains(&tab_bar(tab)), "{tab}: {main}");
        assert!(main.contains(shows), "{tab}: {main}");
    }
}

async fn lists_page_by_their_cursors(backend: Backend) {
    let app = spawn(backend, &[]).await;
    promoted_case(&app).await;
    let narratives: Vec<_> = (1..=27)
        .map(|i| json!({"caseId": "CA1", "narrative": format!("Note {i}.")}))
        .collect();
    done(&app, "addNarrative", &json!(narratives)).await;
    let me = sign_in(&app, "viewer", &["case:read"]).await;
    let first = get(&app, "/console/cases/CA1?tab=narratives", &me.cookie).await;
    let notes = |body: &str| body.matches("<p class=\"text\">Note ").count();
    assert_eq!(notes(&first.body), 25);
    let next = first
        .body
        .split("<li><a href=\"")
        .find_map(|rest| {
            rest.split_once("\">Next page</a>")
                .map(|(href, _)| href.replace("&#38;", "&"))
        })
        .expect("a next page");
    assert!(
        next.starts_with("/console/cases/CA1?tab=narratives&cursor="),
        "{next}"
    );
    let second = get(&app, &next, &me.cookie).await;
    assert_eq!(notes(&second.body), 2);
    assert!(second.body.contains("<p class=\"text\">Note 27.</p>"));
    assert!(second
        .body
        .contains("<li><a href=\"/console/cases/CA1?tab=narratives\">First page</a></li>"));
    assert!(!second.body.contains("Next page"));
    // The audit trail pages by getCaseAudit's cursor.
    let audit = get(&app, "/console/cases/CA1?tab=audit", &me.cookie).await;
    assert_eq!(audit.body.matches("<th scope=\"row\">").count(), 25);
    assert!(audit.body.contains("Next page"));
    // A cursor not from a link: the first page, saying so.
    let bad = get(
        &app,
        "/console/cases/CA1?tab=narratives&cursor=x",
        &me.cookie,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body
            .contains("That page could not be shown (Invalid narrativesCursor: "),
        "{}",
        bad.body
    );
    assert_eq!(notes(&bad.body), 25);
}

async fn a_reader_sees_no_action(backend: Backend) {
    let app = spawn(backend, &[]).await;
    application_case(&app).await;
    let me = sign_in(&app, "viewer", &["case:read"]).await;
    for tab in ["customers", "events", "evidence", "narratives"] {
        let page = get(&app, &format!("/console/cases/CA1?tab={tab}"), &me.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        let main = page.main();
        assert!(!main.contains("<form"), "{tab}: {main}");
        assert!(!main.contains("<button"), "{tab}: {main}");
        assert!(main.contains("<p>Read-only: your roles let you read cases, not change them.</p>"));
    }
    // Evidence is listed, each linking to where its preview will be.
    let evidence = get(&app, "/console/cases/CA1?tab=evidence", &me.cookie).await;
    assert!(evidence.main().contains(
        "<th scope=\"row\"><a href=\"/console/cases/CA1/evidence/d1\">passport-scan.pdf</a></th> <td>UA1</td> <td>application/pdf</td> <td>2048</td>"
    ), "{}", evidence.main());
    assert!(evidence.main().contains("<td>Not reviewed</td>"));
    // These made-up ids are not documents' (tests/pages/evidence.rs
    // previews real ones): the preview refuses them.
    assert_eq!(
        get(&app, "/console/cases/CA1/evidence/d1", &me.cookie)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // A case worker who may write is offered Edit, and nothing else yet.
    let writer = sign_in(&app, "analyst-1", &["case:write"]).await;
    let page = get(&app, "/console/cases/CA1", &writer.cookie).await;
    let main = page.main();
    assert!(
        main.contains("<button type=\"submit\">Edit</button>"),
        "{main}"
    );
    assert!(!main.contains("Change status"));
}

async fn an_unknown_case_or_tab_is_not_found(backend: Backend) {
    let app = spawn(backend, &[]).await;
    promoted_case(&app).await;
    let me = sign_in(&app, "viewer", &["case:read"]).await;
    for path in [
        "/console/cases/CA404",
        "/console/cases/CA1?tab=secrets",
        &format!("/console/cases/{}", "x".repeat(65)),
    ] {
        let page = get(&app, path, &me.cookie).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    let rm = sign_in(&app, "rm-1", &["application:read"]).await;
    assert_eq!(
        get(&app, "/console/cases/CA1", &rm.cookie).await.status,
        StatusCode::FORBIDDEN
    );
}
