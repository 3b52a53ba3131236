//! The actions on a case, end to end: each POST changes case-service's
//! state (read back over its API) and answers a 303 to the case; a
//! refusal shows the page again with what was wrong; a reader, a form
//! without its token, and a second case worker meeting the lock are
//! refused and change nothing.

use crate::helpers::*;
use crate::world::{act, alert, application_case, back, details, promoted_case, spawn};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

backend_tests!(
    edit_assign_and_done,
    status_changes_need_a_comment_to_decide,
    narratives_and_evidence_reviews,
    event_decisions_use_the_configured_labels,
    a_reader_is_refused_every_action,
    a_form_without_its_token_changes_nothing,
    two_case_workers_contest_a_lock,
);

async fn edit_assign_and_done(backend: Backend) {
    let app = spawn(backend, &[]).await;
    promoted_case(&app).await;
    let me = sign_in(&app, "analyst-1", &["case:read", "case:write"]).await;
    back(
        &act(&app, &me, "lock", &[("tab", "events")]).await,
        "events",
    );
    assert_eq!(details(&app, "CA1").await["lock"]["lockedBy"], "analyst-1");
    let page = get(&app, "/console/cases/CA1", &me.cookie).await;
    let main = page.main();
    assert!(
        main.contains("<p id=\"lock-state\" data-unlock-url=\"/console/cases/CA1/unlock\""),
        "{main}"
    );
    assert!(main.contains("<button type=\"submit\">Done</button>"));
    assert!(main.contains("<button type=\"submit\">Assign to me</button>"));
    assert!(!main.contains("<button type=\"submit\">Edit</button>"));
    // console.js releases the lock when the case is left: the page carries
    // where and with which token, and loads the script (no inline script).
    assert!(main.contains(&format!(
        "<p id=\"lock-state\" data-unlock-url=\"/console/cases/CA1/unlock\" data-csrf=\"{}\" data-case-path=\"/console/cases/CA1\">",
        me.csrf
    )), "{main}");
    assert!(page
        .body
        .contains("<script src=\"/console/assets/console.js\" defer></script>"));
    // htmx renews the lock while the edit view is open, as the holder's
    // lockCase again, with the token in its header.
    assert!(main.contains(
        "<div hx-post=\"/console/cases/CA1/lock\" hx-trigger=\"every 120s\" hx-swap=\"none\" hidden></div>"
    ));
    let taken_until = details(&app, "CA1").await["lock"]["lockedUntil"].clone();
    let headers = [("X-CSRF-Token", me.csrf.as_str()), ("HX-Request", "true")];
    back(
        &post(&app, "/console/cases/CA1/lock", &me.cookie, &headers, &[]).await,
        "customers",
    );
    let renewed = details(&app, "CA1").await["lock"].clone();
    assert_eq!(renewed["lockedBy"], "analyst-1");
    assert!(renewed["lockedUntil"].as_str() >= taken_until.as_str());
    let script = get(&app, "/console/assets/console.js", "").await;
    assert_eq!(
        (
            script.status,
            script.header("content-type"),
            script.header("cache-control")
        ),
        (StatusCode::OK, "text/javascript; charset=utf-8", "no-cache")
    );
    assert!(script
        .body
        .contains("navigator.sendBeacon(state.getAttribute(\"data-unlock-url\"), body)"));

    back(
        &act(&app, &me, "assign", &[("to", "me"), ("tab", "customers")]).await,
        "customers",
    );
    assert_eq!(details(&app, "CA1").await["case"]["assignee"], "analyst-1");
    back(
        &act(
            &app,
            &me,
            "assign",
            &[("to", "other"), ("assignee", " analyst-2 ")],
        )
        .await,
        "customers",
    );
    assert_eq!(details(&app, "CA1").await["case"]["assignee"], "analyst-2");
    let refused = act(&app, &me, "assign", &[("to", "other"), ("assignee", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.main().contains(&alert(
        "Reassign to: enter the case worker&#39;s user id (at most 200 characters)."
    )));
    assert_eq!(details(&app, "CA1").await["case"]["assignee"], "analyst-2");
    back(
        &act(&app, &me, "assign", &[("to", "nobody")]).await,
        "customers",
    );
    assert_eq!(details(&app, "CA1").await["case"]["assignee"], Value::Null);

    back(
        &act(&app, &me, "unlock", &[("tab", "audit")]).await,
        "audit",
    );
    assert_eq!(details(&app, "CA1").await["lock"], Value::Null);
    let audit = get(&app, "/console/cases/CA1?tab=audit", &me.cookie)
        .await
        .main();
    for line in [
        "<td>analyst-1</td> <td>lockTaken</td>",
        "<td>analyst-1</td> <td>caseAssigned</td> <td>no one → analyst-1</td>",
        "<td>analyst-1</td> <td>caseAssigned</td> <td>analyst-1 → analyst-2</td>",
        "<td>analyst-1</td> <td>caseAssigned</td> <td>analyst-2 → no one</td>",
        "<td>analyst-1</td> <td>lockReleased</td>",
    ] {
        assert!(audit.contains(line), "{line}: {audit}");
    }
}

async fn status_changes_need_a_comment_to_decide(backend: Backend) {
    let app = spawn(backend, &[]).await;
    application_case(&app).await;
    let me = sign_in(&app, "analyst-1", &["case:write"]).await;
    back(&act(&app, &me, "lock", &[]).await, "customers");
    let page = get(&app, "/console/cases/CA1", &me.cookie).await;
    assert!(page
        .body
        .contains("<option value=\"APR\">Closed – Approved</option>"));
    for code in ["APR", "REJ", "RFI"] {
        let refused = act(
            &app,
            &me,
            "status",
            &[("status", code), ("comment", "  "), ("tab", "evidence")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert!(
            refused.main().contains(&alert(
                "Comment: say why, to approve, reject, or ask the customer for more."
            )),
            "{}",
            refused.main()
        );
        // The page shown is the tab the form came from.
        assert!(refused
            .main()
            .contains("<h2 id=\"tab-heading\">Evidence</h2>"));
    }
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "NW");
    // case-service's own refusals are shown in its words.
    let refused = act(
        &app,
        &me,
        "status",
        &[("status", "APR"), ("comment", "All fine.")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.main().contains(&alert(
            "Case cannot be approved: no document is accepted for UA1."
        )),
        "{}",
        refused.main()
    );
    let long = "x".repeat(2001);
    let refused = act(
        &app,
        &me,
        "status",
        &[("status", "INV"), ("comment", &long)],
    )
    .await;
    assert!(
        refused
            .main()
            .contains(&alert("Invalid comment: must be at most 2000 characters.")),
        "{}",
        refused.main()
    );
    let refused = act(&app, &me, "status", &[("status", "DONE")]).await;
    assert!(refused
        .main()
        .contains(&alert("New status: choose one of the statuses listed.")));
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "NW");

    back(
        &act(&app, &me, "status", &[("status", "INV")]).await,
        "customers",
    );
    back(
        &act(
            &app,
            &me,
            "status",
            &[
                ("status", "RFI"),
                ("comment", "Please send a clearer scan."),
            ],
        )
        .await,
        "customers",
    );
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "RFI");
    let audit = get(&app, "/console/cases/CA1?tab=audit", &me.cookie)
        .await
        .main();
    assert!(
        audit.contains("<td>statusChanged</td> <td>NW → INV</td>"),
        "{audit}"
    );
    assert!(
        audit.contains("<td>statusChanged</td> <td>INV → RFI: Please send a clearer scan.</td>"),
        "{audit}"
    );
}

async fn narratives_and_evidence_reviews(backend: Backend) {
    let app = spawn(backend, &[]).await;
    application_case(&app).await;
    let me = sign_in(&app, "analyst-1", &["case:write"]).await;
    back(&act(&app, &me, "lock", &[]).await, "customers");

    back(
        &act(
            &app,
            &me,
            "narratives",
            &[("narrative", "Spoke to the applicant.\nAll clear.")],
        )
        .await,
        "narratives",
    );
    assert_eq!(
        details(&app, "CA1").await["narratives"][0]["narrative"],
        "Spoke to the applicant.\nAll clear."
    );
    let refused = act(&app, &me, "narratives", &[("narrative", " \n ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .main()
        .contains(&alert("New narrative: write something first.")));

    let page = get(&app, "/console/cases/CA1?tab=evidence", &me.cookie)
        .await
        .main();
    assert!(
        page.contains("<button type=\"submit\">Accept passport-scan.pdf</button>"),
        "{page}"
    );
    let refused = act(
        &app,
        &me,
        "evidence/d1/review",
        &[("decision", "REJECT"), ("reason", " ")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.main().contains(&alert(
        "Reason: say why the document is rejected; the applicant reads it."
    )));
    back(
        &act(
            &app,
            &me,
            "evidence/d1/review",
            &[("decision", "REJECT"), ("reason", "The scan is cut off.")],
        )
        .await,
        "evidence",
    );
    back(
        &act(&app, &me, "evidence/d2/review", &[("decision", "ACCEPT")]).await,
        "evidence",
    );
    let evidence = details(&app, "CA1").await["application"]["evidence"].clone();
    let reviews: Vec<_> = evidence
        .as_array()
        .expect("evidence")
        .iter()
        .map(|d| {
            (
                d["documentId"].clone(),
                d["decision"].clone(),
                d["comments"].clone(),
                d["decidedBy"].clone(),
            )
        })
        .collect();
    assert_eq!(
        reviews,
        [
            (
                json!("d1"),
                json!("REJECT"),
                json!("The scan is cut off."),
                json!("analyst-1")
            ),
            (
                json!("d2"),
                json!("ACCEPT"),
                Value::Null,
                json!("analyst-1")
            ),
        ]
    );
    // A document not on the case: case-service's words.
    let refused = act(&app, &me, "evidence/d9/review", &[("decision", "ACCEPT")]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.main().contains("role=\"alert\""));
}

async fn event_decisions_use_the_configured_labels(backend: Backend) {
    let app = spawn(
        backend,
        &[("CONSOLE_EVENT_DECISIONS", "7:Benign,9:Suspicious")],
    )
    .await;
    promoted_case(&app).await;
    let me = sign_in(&app, "analyst-1", &["case:write"]).await;
    back(&act(&app, &me, "lock", &[]).await, "customers");
    let page = get(&app, "/console/cases/CA1?tab=events", &me.cookie)
        .await
        .main();
    assert!(page.contains(
        "<select id=\"decision-1\" name=\"decision\"> <option value=\"7\">Benign</option> <option value=\"9\">Suspicious</option> </select>"
    ), "{page}");
    for code in ["1", "x", ""] {
        let refused = act(&app, &me, "events/EV1/decision", &[("decision", code)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .main()
            .contains(&alert("Decision: choose one of the decisions listed.")));
    }
    let refused = act(&app, &me, "events/EV9/decision", &[("decision", "9")]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    back(
        &act(
            &app,
            &me,
            "events/EV1/decision",
            &[
                ("decision", "9"),
                ("comments", "Same pattern as last year."),
            ],
        )
        .await,
        "events",
    );
    let event = details(&app, "CA1").await["events"][0].clone();
    assert_eq!(
        (
            &event["eventDecisionCode"],
            &event["decisionComments"],
            &event["decidedBy"]
        ),
        (
            &json!(9),
            &json!("Same pattern as last year."),
            &json!("analyst-1")
        )
    );
    let page = get(&app, "/console/cases/CA1?tab=events", &me.cookie)
        .await
        .main();
    assert!(
        page.contains("<td>Suspicious by analyst-1: Same pattern as last year.</td>"),
        "{page}"
    );
}

async fn a_reader_is_refused_every_action(backend: Backend) {
    let app = spawn(backend, &[]).await;
    application_case(&app).await;
    let reader = sign_in(&app, "viewer", &["case:read"]).await;
    for (action, fields) in [
        ("lock", vec![]),
        ("unlock", vec![]),
        ("assign", vec![("to", "me")]),
        ("status", vec![("status", "INV")]),
        ("narratives", vec![("narrative", "Hello.")]),
        ("evidence/d1/review", vec![("decision", "ACCEPT")]),
        ("events/EV1/decision", vec![("decision", "1")]),
    ] {
        let page = act(&app, &reader, action, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}");
        assert_eq!(
            page.main(),
            forbidden_main(
                "Your roles let you read cases, not change them (case:write). Nothing was changed."
            ),
            "{action}"
        );
    }
    let case = details(&app, "CA1").await;
    assert_eq!(case["lock"], Value::Null);
    assert_eq!(case["case"]["assignee"], Value::Null);
    assert_eq!(case["case"]["caseStatusCode"], "NW");
    assert_eq!(case["narratives"], json!([]));
}

async fn a_form_without_its_token_changes_nothing(backend: Backend) {
    let app = spawn(backend, &[]).await;
    promoted_case(&app).await;
    let me = sign_in(&app, "analyst-1", &["case:write"]).await;
    for csrf in ["", "not-the-token"] {
        let page = post(
            &app,
            "/console/cases/CA1/lock",
            &me.cookie,
            &[],
            &[("csrf", csrf)],
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(page.main(), forbidden_main(EXPIRED_FORM));
    }
    // From another site: refused before anything reads the form.
    let page = post(
        &app,
        "/console/cases/CA1/lock",
        &me.cookie,
        &[("Sec-Fetch-Site", "cross-site")],
        &[("csrf", me.csrf.as_str())],
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(details(&app, "CA1").await["lock"], Value::Null);
    // htmx's header carries the token as well as the form does.
    let page = post(
        &app,
        "/console/cases/CA1/lock",
        &me.cookie,
        &[("X-CSRF-Token", me.csrf.as_str())],
        &[],
    )
    .await;
    back(&page, "customers");
}

async fn two_case_workers_contest_a_lock(backend: Backend) {
    let app = spawn(backend, &[]).await;
    promoted_case(&app).await;
    let first = sign_in(&app, "analyst-1", &["case:write"]).await;
    let second = sign_in(&app, "analyst-2", &["case:write"]).await;
    back(&act(&app, &first, "lock", &[]).await, "customers");
    let until = details(&app, "CA1").await["lock"]["lockedUntil"]
        .as_str()
        .expect("until")
        .to_owned();
    let seen = get(&app, "/console/cases/CA1", &second.cookie).await.main();
    assert!(
        seen.contains(&format!(
        "<p class=\"notice\">Read-only: analyst-1 is editing this case until {until} (UTC).</p>"
    )),
        "{seen}"
    );
    assert!(!seen.contains("<button"), "{seen}");
    // Taking it anyway, or acting past it, meets case-service's 409.
    let taken = act(&app, &second, "lock", &[]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken
            .main()
            .contains(&alert("Case is locked by another user analyst-1.")),
        "{}",
        taken.main()
    );
    let changed = act(&app, &second, "status", &[("status", "INV")]).await;
    assert_eq!(changed.status, StatusCode::CONFLICT);
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "NW");
    // Releasing a lock one does not hold leaves it.
    let released = act(&app, &second, "unlock", &[]).await;
    assert_eq!(released.status, StatusCode::CONFLICT);
    assert!(released
        .main()
        .contains(&alert("Case is locked by another user analyst-1.")));
    assert_eq!(details(&app, "CA1").await["lock"]["lockedBy"], "analyst-1");
    // Done: the second case worker may now edit.
    back(&act(&app, &first, "unlock", &[]).await, "customers");
    back(&act(&app, &second, "lock", &[]).await, "customers");
    assert_eq!(details(&app, "CA1").await["lock"]["lockedBy"], "analyst-2");
}
