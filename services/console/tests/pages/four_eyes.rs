//! Four eyes on the case page (issue 15): with
//! `CASE_FOUR_EYES_RISK_THRESHOLD` set and a case at or above it, one case
//! worker recommends approving or rejecting and another approves; below
//! it the status is set directly. And every action is taken only by the
//! case worker holding the case's lock: anyone else gets the page again
//! with a 409 and nothing changes.

use crate::helpers::*;
use crate::world::{act, alert, application_case, back, details, done, region, spawn};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    a_second_case_worker_approves_the_recommendation,
    below_the_threshold_the_status_is_set_directly,
    an_action_without_the_lock_changes_nothing,
);

/// The threshold these tests set.
const THRESHOLD: (&str, &str) = ("CASE_FOUR_EYES_RISK_THRESHOLD", "70");

/// What an action by someone not holding the lock is answered.
const TAKE_IT_FIRST: &str = "Press Edit to take the case before changing it.";

/// An application's case `CA1` (`d1`, the document `UA1` needs, accepted,
/// so that it may be approved) with a customer of effective risk `risk`.
async fn risky_case(app: &TestApp, risk: u32) {
    application_case(app).await;
    done(
        app,
        "addCustomer",
        &json!([{"caseId": "CA1", "customers": [{"customerId": "RISKY", "effectiveRisk": risk}]}]),
    )
    .await;
    done(
        app,
        "reviewEvidence",
        &json!([{"caseId": "CA1", "evidence": [{"documentId": "d1", "decision": "ACCEPT"}]}]),
    )
    .await;
}

/// Asserts `page` is CA1's page again with `status` and `message` in its
/// alert.
fn refused(page: &Page, status: StatusCode, message: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert_eq!(
        between(
            &page.body,
            "<div class=\"error\" role=\"alert\" id=\"action-error\">",
            "</div>"
        ),
        squeeze(&alert(message))
    );
}

/// The part of `body` from `start` to the first `end` after it, white
/// space squeezed.
fn between(body: &str, start: &str, end: &str) -> String {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {body}"));
    let to = body[from..].find(end).expect("its end") + from + end.len();
    squeeze(&body[from..to])
}

/// The case header's facts on `page`.
fn header(page: &Page) -> String {
    between(&page.body, "<dl class=\"facts case-header\">", "</dl>")
}

/// The status form (after the four-eyes forms), offering `statuses`.
fn status_form(csrf: &str, statuses: &[(&str, &str)]) -> String {
    let options: String = statuses
        .iter()
        .map(|(code, name)| {
            let selected = if *code == "NW" { " selected" } else { "" };
            format!("<option value=\"{code}\"{selected}>{name}</option>")
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "<form method=\"post\" action=\"/console/cases/CA1/status\" class=\"stack\">
  <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">
  <input type=\"hidden\" name=\"tab\" value=\"customers\">
  <p> <label for=\"new-status\">New status</label>
    <select id=\"new-status\" name=\"status\"> {options} </select> </p>
  <p> <label for=\"status-comment\">Comment</label>
    <textarea id=\"status-comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\" aria-describedby=\"status-comment-hint\"></textarea>
    <span class=\"hint\" id=\"status-comment-hint\">Required to approve, reject, or ask the customer for more (at most 2000 characters).</span> </p>
  <p><button type=\"submit\">Change status</button></p>
</form>"
    )
}

/// The statuses offered directly under four eyes: no approving or
/// rejecting.
const UNGUARDED: [(&str, &str); 5] = [
    ("NW", "New"),
    ("INV", "Investigation"),
    ("ESC", "Escalated"),
    ("CLS", "Closed"),
    ("RFI", "Pending with customer"),
];

/// The status actions of `page`.
fn status_actions(page: &Page) -> String {
    region(&page.body, "div", "status-actions")
}

async fn a_second_case_worker_approves_the_recommendation(backend: Backend) {
    let app = spawn(backend, &[THRESHOLD]).await;
    risky_case(&app, 80).await;
    let first = sign_in(&app, "analyst-1", &["case:read", "case:write"]).await;
    let second = sign_in(&app, "analyst-2", &["case:read", "case:write"]).await;
    back(&act(&app, &first, "lock", &[]).await, "customers");

    let page = get(&app, "/console/cases/CA1", &first.cookie).await;
    let due = details(&app, "CA1").await["case"]["dueDate"].clone();
    assert_eq!(
        header(&page),
        squeeze(&format!(
            "<dl class=\"facts case-header\">
  <dt>Type</dt><dd>KYC</dd> <dt>Status</dt><dd>New</dd> <dt>Priority</dt><dd>Low</dd>
  <dt>Due date</dt><dd>{}</dd> <dt>Assigned to</dt><dd>No one</dd>
  <dt>Application</dt><dd><code>app-1</code></dd>
  <dt>Effective risk</dt><dd>80</dd>
  <dt>Four eyes</dt><dd>Approving or rejecting this case takes two case workers: one recommends, another approves.</dd>
</dl>",
            due.as_str().expect("a due date")
        ))
    );
    assert!(!page.body.contains("id=\"recommendation\""));
    assert_eq!(
        status_actions(&page),
        squeeze(&format!(
            "<div id=\"status-actions\" class=\"action-group\"> <h3>Status</h3>
<form method=\"post\" action=\"/console/cases/CA1/recommendation\" class=\"stack\">
  <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">
  <input type=\"hidden\" name=\"tab\" value=\"customers\">
  <p> <label for=\"recommendation-comment\">Why you recommend it</label>
    <textarea id=\"recommendation-comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\" required aria-describedby=\"recommendation-comment-hint\"></textarea>
    <span class=\"hint\" id=\"recommendation-comment-hint\">Another case worker reads it and approves (at most 2000 characters).</span> </p>
  <p> <button type=\"submit\" name=\"status\" value=\"APR\">Recommend approval</button>
    <button type=\"submit\" name=\"status\" value=\"REJ\">Recommend rejection</button> </p>
</form>
{form}
</div>",
            csrf = first.csrf,
            form = status_form(&first.csrf, &UNGUARDED)
        ))
    );

    // Approving directly is refused by case-service, in its words.
    let forced = act(
        &app,
        &first,
        "status",
        &[("status", "APR"), ("comment", "All fine.")],
    )
    .await;
    refused(
        &forced,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Case needs a second analyst&#39;s approval: recommend the status first.",
    );
    // A recommendation needs its comment and a status to recommend.
    let bare = act(
        &app,
        &first,
        "recommendation",
        &[("status", "APR"), ("comment", " \n ")],
    )
    .await;
    refused(
        &bare,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Why you recommend it: say why; the case worker who approves reads it.",
    );
    for code in ["CLS", ""] {
        let other = act(
            &app,
            &first,
            "recommendation",
            &[("status", code), ("comment", "Closing.")],
        )
        .await;
        refused(
            &other,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Recommendation: recommend approval or rejection.",
        );
    }
    let case = details(&app, "CA1").await;
    assert_eq!(
        (&case["recommendation"], &case["case"]["caseStatusCode"]),
        (&Value::Null, &json!("NW"))
    );

    back(
        &act(
            &app,
            &first,
            "recommendation",
            &[("status", "APR"), ("comment", "Documents check out.")],
        )
        .await,
        "customers",
    );
    let recommendation = details(&app, "CA1").await["recommendation"].clone();
    let at = recommendation["recommendedAt"].as_str().expect("when");
    assert_eq!(
        recommendation,
        json!({"caseStatusCode": "APR", "recommendedBy": "analyst-1", "recommendedAt": at,
               "comment": "Documents check out."})
    );
    // The recommender sees it, and that only another may approve it.
    let page = get(&app, "/console/cases/CA1", &first.cookie).await;
    let shown = |closing: &str| {
        squeeze(&format!(
            "<section id=\"recommendation\" class=\"recommendation\" aria-labelledby=\"recommendation-heading\">
<h2 id=\"recommendation-heading\">Recommendation</h2>
<p class=\"meta\">analyst-1 recommended Closed – Approved on {at} (UTC):</p>
<p class=\"text\">Documents check out.</p>
<p>{closing}</p>
</section>"
        ))
    };
    assert_eq!(
        region(&page.body, "section", "recommendation"),
        shown("You cannot approve your own recommendation: another case worker approves it.")
    );
    assert_eq!(
        status_actions(&page),
        squeeze(&format!(
            "<div id=\"status-actions\" class=\"action-group\"> <h3>Status</h3> {} </div>",
            status_form(&first.csrf, &UNGUARDED)
        ))
    );
    assert!(!page.body.contains("Approve recommendation"));
    // Forcing it is refused by case-service.
    let own = act(
        &app,
        &first,
        "approval",
        &[("status", "APR"), ("comment", "Me again.")],
    )
    .await;
    refused(
        &own,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The recommender cannot approve their own recommendation.",
    );
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "NW");
    back(&act(&app, &first, "unlock", &[]).await, "customers");

    // The second case worker takes the case and approves.
    back(&act(&app, &second, "lock", &[]).await, "customers");
    let page = get(&app, "/console/cases/CA1", &second.cookie).await;
    assert_eq!(
        region(&page.body, "section", "recommendation"),
        shown("Another case worker&#39;s approval sets the case to Closed – Approved.")
    );
    assert_eq!(
        status_actions(&page),
        squeeze(&format!(
            "<div id=\"status-actions\" class=\"action-group\"> <h3>Status</h3>
<form method=\"post\" action=\"/console/cases/CA1/approval\" class=\"stack\">
  <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">
  <input type=\"hidden\" name=\"tab\" value=\"customers\">
  <input type=\"hidden\" name=\"status\" value=\"APR\">
  <p> <label for=\"approval-comment\">Comment on approving analyst-1&#39;s recommendation (Closed – Approved)</label>
    <textarea id=\"approval-comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\" required></textarea> </p>
  <p><button type=\"submit\">Approve recommendation</button></p>
</form>
{form}
</div>",
            csrf = second.csrf,
            form = status_form(&second.csrf, &UNGUARDED)
        ))
    );
    for (code, comment, message) in [
        ("APR", " ", "Comment: say why you approve the recommendation."),
        (
            "CLS",
            "Agreed.",
            "Approve recommendation: the recommendation is of approval or rejection; reload the page.",
        ),
    ] {
        let page = act(
            &app,
            &second,
            "approval",
            &[("status", code), ("comment", comment)],
        )
        .await;
        refused(&page, StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    // Approving what was not recommended: case-service's words.
    let other = act(
        &app,
        &second,
        "approval",
        &[("status", "REJ"), ("comment", "Rather not.")],
    )
    .await;
    refused(
        &other,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Case needs a second analyst&#39;s approval: recommend the status first.",
    );
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "NW");

    back(
        &act(
            &app,
            &second,
            "approval",
            &[("status", "APR"), ("comment", "Agreed.")],
        )
        .await,
        "customers",
    );
    let case = details(&app, "CA1").await;
    assert_eq!(
        (&case["case"]["caseStatusCode"], &case["recommendation"]),
        (&json!("APR"), &Value::Null)
    );
    let audit = get(&app, "/console/cases/CA1?tab=audit", &second.cookie)
        .await
        .main();
    for line in [
        "<td>analyst-1</td> <td>statusRecommended</td> <td>Recommends APR: Documents check out.</td>",
        "<td>analyst-2</td> <td>statusChanged</td> <td>NW → APR: Agreed.</td>",
        "<td>analyst-2</td> <td>recommendationApproved</td> <td>APR recommended by analyst-1, approved by analyst-2</td>",
    ] {
        assert!(audit.contains(line), "{line}: {audit}");
    }
}

async fn below_the_threshold_the_status_is_set_directly(backend: Backend) {
    let app = spawn(backend, &[THRESHOLD]).await;
    risky_case(&app, 50).await;
    let me = sign_in(&app, "analyst-1", &["case:write"]).await;
    back(&act(&app, &me, "lock", &[]).await, "customers");
    let page = get(&app, "/console/cases/CA1", &me.cookie).await;
    let facts = header(&page);
    assert!(
        facts.ends_with("<dt>Effective risk</dt><dd>50</dd> </dl>"),
        "{facts}"
    );
    assert!(!page.body.contains("id=\"recommendation\""));
    let mut statuses = UNGUARDED.to_vec();
    statuses.insert(4, ("APR", "Closed – Approved"));
    statuses.insert(5, ("REJ", "Closed – Rejected"));
    assert_eq!(
        status_actions(&page),
        squeeze(&format!(
            "<div id=\"status-actions\" class=\"action-group\"> <h3>Status</h3> {} </div>",
            status_form(&me.csrf, &statuses)
        ))
    );
    back(
        &act(
            &app,
            &me,
            "status",
            &[("status", "APR"), ("comment", "All fine.")],
        )
        .await,
        "customers",
    );
    assert_eq!(details(&app, "CA1").await["case"]["caseStatusCode"], "APR");
}

async fn an_action_without_the_lock_changes_nothing(backend: Backend) {
    let app = spawn(backend, &[THRESHOLD]).await;
    risky_case(&app, 80).await;
    let me = sign_in(&app, "analyst-1", &["case:write"]).await;
    let other = sign_in(&app, "analyst-2", &["case:write"]).await;
    let actions: [(&str, Vec<(&str, &str)>); 7] = [
        ("assign", vec![("to", "me")]),
        ("status", vec![("status", "INV")]),
        (
            "recommendation",
            vec![("status", "APR"), ("comment", "Fine.")],
        ),
        ("approval", vec![("status", "APR"), ("comment", "Fine.")]),
        ("narratives", vec![("narrative", "Hello.")]),
        (
            "evidence/d2/review",
            vec![("decision", "REJECT"), ("reason", "Blurred.")],
        ),
        ("events/EV1/decision", vec![("decision", "1")]),
    ];
    let before = details(&app, "CA1").await;
    assert_eq!(before["lock"], Value::Null);
    // Nobody holds the case: Edit first. Even an invalid form is answered
    // so, since nothing would be done without the lock anyway.
    for (action, fields) in &actions {
        let page = act(&app, &me, action, fields).await;
        refused(&page, StatusCode::CONFLICT, TAKE_IT_FIRST);
        // The page offers Edit, not the actions.
        assert!(page
            .main()
            .contains("<button type=\"submit\">Edit</button>"));
    }
    // Another holds it.
    back(&act(&app, &other, "lock", &[]).await, "customers");
    for (action, fields) in &actions {
        let page = act(&app, &me, action, fields).await;
        refused(
            &page,
            StatusCode::CONFLICT,
            "analyst-2 is editing this case. Wait until they are done, then press Edit to take it.",
        );
    }
    let after = details(&app, "CA1").await;
    assert_eq!(after["lock"]["lockedBy"], "analyst-2");
    for part in [
        "case",
        "recommendation",
        "application",
        "narratives",
        "events",
    ] {
        assert_eq!(after[part], before[part], "{part}");
    }
    let audit = done(
        &app,
        "getCaseAudit",
        &json!({"caseId": "CA1", "limit": 100}),
    )
    .await;
    let actions: Vec<&str> = audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["actor"] == "analyst-1")
        .map(|e| e["action"].as_str().expect("an action"))
        .collect();
    assert_eq!(actions, Vec::<&str>::new());
}
