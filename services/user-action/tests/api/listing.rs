//! getUserActions answers are cached per application revision: every write
//! to an application's applicants or actions, through any replica, is seen
//! by the next listing on every replica.

use crate::helpers::{fabric, replica_of, spawn, User};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use testkit::call;
use testkit::{backend_tests, Backend};

/// The listing as each replica answers it; both must agree.
async fn listing_on_both(user: &User<'_>, bases: &[&str], query: &Value) -> Value {
    let mut answers = Vec::new();
    for base in bases {
        let (status, listing) = call(
            user.request_at(base, "UserAction/getUserActions")
                .json(query),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        answers.push(listing);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    answers.remove(0)
}

/// Every `Status` in a listing, by `UserActionIdentifier`.
fn statuses(listing: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = listing
        .as_object()
        .expect("an object")
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .map(|item| {
            (
                item["UserActionIdentifier"]
                    .as_str()
                    .expect("id")
                    .to_owned(),
                item["UserActionStatus"]
                    .as_str()
                    .expect("status")
                    .to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

async fn every_replica_sees_every_write(backend: Backend) {
    let app = spawn(backend).await;
    let replica = replica_of(&app).await;
    let bases = [app.url.as_str(), &replica.url()];
    let user = User::new(&app, "lister");
    let (application, party) = user.application("Virat", "Kohli").await;
    let time = format!("TimeOnCurrentAddress_{party}_{application}");
    let all = json!({});
    let pre = json!({"isPre": "true"});

    // Warm both replicas' caches, for both filters.
    let before = listing_on_both(&user, &bases, &all).await;
    let before_pre = listing_on_both(&user, &bases, &pre).await;
    assert!(statuses(&before).contains(&(time.clone(), "Created".to_owned())));

    // A change through the second replica is seen through the first.
    let update =
        json!({"UserActionIdentifier": time, "Response": "2015-06", "Status": "Submitted"});
    let (status, body) = call(
        user.request_at(bases[1], "UserAction/updateUserAction")
            .json(&update),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = listing_on_both(&user, &bases, &all).await;
    let expected: Vec<(String, String)> = statuses(&before)
        .into_iter()
        .map(|(id, s)| {
            if id == time {
                (id, "Submitted".to_owned())
            } else {
                (id, s)
            }
        })
        .collect();
    assert_eq!(statuses(&after), expected);
    assert_ne!(listing_on_both(&user, &bases, &pre).await, before_pre);

    // So are a new co-applicant and its actions.
    let co_applicant = json!({"FirstName": "Anushka", "LastName": "Sharma", "DateOfBirth": "1988-05-01",
        "Email": "as@example.com", "ApplicantType": "CoApplicant", "EntityId": "60fe1abbdecbb711d1e76621"});
    let (status, body) = user
        .call("PersonalInfo/updateProspectProfile", &co_applicant)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        user.request_at(bases[1], "UserAction/createPreRequirements")
            .json(&all),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let with_co_applicant = listing_on_both(&user, &bases, &all).await;
    assert!(
        statuses(&with_co_applicant).len() > statuses(&after).len(),
        "{with_co_applicant}"
    );
    assert!(with_co_applicant.to_string().contains("Anushka"));

    // Another user's listing is not the cached one.
    let other = User::new(&app, "someone-else");
    let (status, _) = call(
        other
            .request_at(bases[1], "UserAction/getUserActions")
            .json(&all),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    replica.stop(true).await;
}

/// A whole getUserActions answer, pinned: the seed catalog's actions for a
/// new application, then after an answer. The party and application ids
/// are random, so they are written as `{party}` and `{application}`, and
/// each action's random `UserActionId` as `[id]`.
async fn the_whole_listing(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "lister");
    let (application, party) = user.application("Virat", "Kohli").await;
    // As pretty text: serde_json writes the numbers as they came (the
    // workspace turns on its `arbitrary_precision`); insta's own JSON writer
    // would write each as the map serde_json hands it over as.
    let pinned = |listing: Value| -> String {
        let text = listing
            .to_string()
            .replace(&party, "{party}")
            .replace(&application, "{application}");
        let mut listing: Value = serde_json::from_str(&text).expect("JSON");
        let groups = listing
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut());
        for action in groups.filter_map(Value::as_array_mut).flatten() {
            if let Some(id) = action.get_mut("UserActionId") {
                *id = json!("[id]");
            }
        }
        // Keys sorted, as the snapshots list them (the answer's own order
        // is the groups', then the envelope's).
        listing.sort_all_objects();
        serde_json::to_string_pretty(&listing).expect("JSON")
    };
    insta::assert_snapshot!("get_user_actions_new", pinned(user.actions().await));
    let update = json!({"UserActionIdentifier": format!("TimeOnCurrentAddress_{party}_{application}"),
                        "Response": "2015-06", "Status": "Submitted"});
    let (status, answer) = user.call("UserAction/updateUserAction", &update).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    insta::assert_snapshot!("get_user_actions_answered", pinned(user.actions().await));
}

/// Many callers listing at once. On PostgreSQL the revisions of all the
/// listings waiting are read in one statement: each caller still gets their
/// own application's listing, asked for by id or as their latest, another
/// caller's id is still refused, and a write is seen by the listing asked
/// for after it while other callers' listings are being read.
async fn callers_listing_at_once_each_get_their_own(backend: Backend) {
    let app = spawn(backend).await;
    let names = [
        "Anil", "Bina", "Chetan", "Devi", "Eshan", "Farah", "Gita", "Hari",
    ];
    let users: Vec<User> = names.iter().map(|n| User::new(&app, n)).collect();
    let mut applications = Vec::new();
    let mut alone = Vec::new();
    for (user, name) in users.iter().zip(names) {
        applications.push(user.application(name, "Crowd").await);
        alone.push(user.actions().await);
    }

    let asks = (0..users.len()).flat_map(|n| {
        let (own, other) = (&applications[n].0, &applications[(n + 1) % users.len()].0);
        [
            json!({}),
            json!({"Application_id": own}),
            json!({}),
            json!({"Application_id": other}),
        ]
        .map(|query| (n, query))
    });
    let users = &users;
    let answers = join_all(asks.map(|(n, query)| async move {
        let answer = users[n].call("UserAction/getUserActions", &query).await;
        (n, query, answer)
    }))
    .await;
    for (n, query, answer) in answers {
        let own = query["Application_id"]
            .as_str()
            .is_none_or(|id| id == applications[n].0);
        let expected = if own {
            (StatusCode::OK, alone[n].clone())
        } else {
            (
                StatusCode::NOT_FOUND,
                fabric(
                    404,
                    10201,
                    "Application_id: no such application of the caller",
                ),
            )
        };
        assert_eq!(answer, expected, "{} asking {query}", names[n]);
    }

    // Three callers, one after another, answer an action and list, while
    // the others keep listing.
    let writing = AtomicBool::new(true);
    let others = join_all(users[3..].iter().map(|user| async {
        let mut listed = 0;
        while writing.load(Ordering::Relaxed) {
            let (status, _) = user.call("UserAction/getUserActions", &json!({})).await;
            assert_eq!(status, StatusCode::OK);
            listed += 1;
        }
        listed
    }));
    let writer = async {
        for (user, (application, party)) in users.iter().zip(&applications).take(3) {
            let identifier = format!("TimeOnCurrentAddress_{party}_{application}");
            let update = json!({"UserActionIdentifier": identifier, "Response": "2015-06",
                                "Status": "Submitted"});
            let (status, answer) = user.call("UserAction/updateUserAction", &update).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            let listed = statuses(&user.actions().await);
            assert!(
                listed.contains(&(identifier, "Submitted".to_owned())),
                "{listed:?}"
            );
        }
        writing.store(false, Ordering::Relaxed);
    };
    let (listed, ()) = tokio::join!(others, writer);
    assert!(listed.iter().all(|&n| n > 0), "{listed:?}");
}

backend_tests!(
    every_replica_sees_every_write,
    the_whole_listing,
    callers_listing_at_once_each_get_their_own
);
