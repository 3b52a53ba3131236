//! getAuditEvents a page at a time (issue 17, finding 9 in part): a
//! bounded page, a cursor to the next, and refusals naming the field.

use crate::helpers::{fabric, profile, spawn, spawn_with, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

/// An application with a trail of `1 + co_applicants` events: created,
/// and each co-applicant added.
async fn application_with(user: &User<'_>, co_applicants: usize) {
    user.application("Paige", "Turner").await;
    for n in 0..co_applicants {
        let mut co_applicant = profile("Co", &format!("Applicant{n}"));
        co_applicant["ApplicantType"] = json!("CoApplicant");
        let (status, added) = user
            .call("PersonalInfo/updateProspectProfile", &co_applicant)
            .await;
        assert_eq!(status, StatusCode::OK, "{added}");
    }
}

/// A trail of seven events, read whole in one page.
async fn trail(user: &User<'_>) -> Vec<Value> {
    application_with(user, 6).await;
    let (status, whole) = user.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{whole}");
    assert!(whole.get("nextCursor").is_none(), "one page: {whole}");
    let events = whole["AuditEvents"].as_array().expect("events").clone();
    assert_eq!(whole["count"], json!(events.len()));
    assert_eq!(events.len(), 7, "{whole}");
    events
}

/// Following `nextCursor` with a small `limit` gives back the whole trail,
/// in order, in three pages; the last has no `nextCursor`.
async fn the_cursor_walks_the_whole_trail(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "pager");
    let whole = trail(&user).await;
    let limit = whole.len().div_ceil(3);
    let mut walked: Vec<Value> = Vec::new();
    let mut pages = 0;
    let mut request = json!({"limit": limit});
    loop {
        let (status, page) = user.call("Audit/getAuditEvents", &request).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        let events = page["AuditEvents"].as_array().expect("events");
        assert!(events.len() <= limit, "{page}");
        assert_eq!(page["count"], json!(events.len()));
        walked.extend(events.iter().cloned());
        match page.get("nextCursor") {
            Some(cursor) => {
                let last = events.last().expect("a full page");
                assert_eq!(
                    cursor,
                    &json!(format!(
                        "{}_{}",
                        last["time"].as_str().expect("time"),
                        last["id"].as_str().expect("id")
                    ))
                );
                request = json!({"limit": limit, "cursor": cursor});
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(walked, whole);
}

/// Without a `limit`, a page holds USER_ACTION_AUDIT_PAGE_SIZE events.
async fn the_default_page_size_is_configured(backend: Backend) {
    let app = spawn_with(backend, &[("USER_ACTION_AUDIT_PAGE_SIZE", "3")]).await;
    let user = User::new(&app, "defaulted");
    application_with(&user, 3).await;
    let (status, page) = user.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["count"], json!(3), "{page}");
    assert!(page["nextCursor"].is_string(), "{page}");
}

/// A bad `limit` or `cursor` is refused with 10003, naming the field.
async fn a_bad_limit_or_cursor_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "refused");
    user.application("Bad", "Cursor").await;
    let bad_limit = fabric(400, 10003, "limit: must be a whole number from 1 to 500");
    for limit in [
        json!(0),
        json!(501),
        json!(-1),
        json!(2.5),
        json!("10"),
        json!(true),
    ] {
        assert_eq!(
            user.call("Audit/getAuditEvents", &json!({"limit": limit}))
                .await,
            (StatusCode::BAD_REQUEST, bad_limit.clone()),
            "{limit}"
        );
    }
    let bad_cursor = fabric(
        400,
        10003,
        "cursor: must be the nextCursor of a previous page",
    );
    for cursor in [
        json!(""),
        json!("abc"),
        json!(5),
        json!("2026-05-08T10:00:00.123456Z"),
        json!("2026-05-08T10:00:00Z_60fe1b7edecbb711d1e76641"),
        json!("2026-05-08T10:00:00.123456Z_60FE1B7EDECBB711D1E76641"),
    ] {
        assert_eq!(
            user.call("Audit/getAuditEvents", &json!({"cursor": cursor}))
                .await,
            (StatusCode::BAD_REQUEST, bad_cursor.clone()),
            "{cursor}"
        );
    }
    // A whole number written with a point is a whole number; a cursor past
    // the end is an empty last page.
    let (status, page) = user
        .call(
            "Audit/getAuditEvents",
            &json!({"limit": 3.0, "cursor": "9999-12-31T23:59:59.999999Z_ffffffffffffffffffffffff"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (&page["count"], &page["AuditEvents"]),
        (&json!(0), &json!([]))
    );
    assert!(page.get("nextCursor").is_none(), "{page}");
}

backend_tests!(
    the_cursor_walks_the_whole_trail,
    the_default_page_size_is_configured,
    a_bad_limit_or_cursor_is_refused
);
