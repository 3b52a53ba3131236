//! What the fault suite checks of case-service afterwards: what the ECM
//! clients' ledger says succeeded, read back through the API, and the
//! database's agreement with itself ([`CASE_HALF_DONE`]).

use super::cam::ecm_token;
use super::ecm::{
    decision, id_of, promotion, removal_record, ANALYST, CASES, EVENT_EXISTS, REAL_TIME, RULES,
    SAVE, SCENARIO,
};
use super::load::{Ledger, Part, Promotion};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// case-service as the checks see it: its API and its database.
pub struct CaseService<'a> {
    /// The client to call it with.
    pub http: &'a reqwest::Client,
    /// Its base URL.
    pub url: String,
    /// Its database's URL.
    pub database: &'a str,
}

/// The lists of `getCaseDetails`: each with its cursor and the answer's
/// next cursor.
const LISTS: [(&str, &str, &str); 6] = [
    ("customers", "cursor", "nextCursor"),
    ("events", "eventsCursor", "nextEventsCursor"),
    ("narratives", "narrativesCursor", "nextNarrativesCursor"),
    ("accounts", "accountsCursor", "nextAccountsCursor"),
    (
        "externalEntities",
        "externalEntitiesCursor",
        "nextExternalEntitiesCursor",
    ),
    (
        "transactions",
        "transactionsCursor",
        "nextTransactionsCursor",
    ),
];

/// `operation` of case-service answered with `body` by a reader: asserts
/// a 200.
async fn read(service: &CaseService<'_>, operation: &str, body: &Value) -> Value {
    read_at(service, &format!("{CASES}/{operation}"), body).await
}

/// The operation at `path` of case-service answered with `body` by a
/// reader: asserts a 200.
async fn read_at(service: &CaseService<'_>, path: &str, body: &Value) -> Value {
    let response = service
        .http
        .post(format!("{}{path}", service.url))
        .bearer_auth(ecm_token("auditor-faults", &["case:read"]))
        .json(body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK, "{path} {body}");
    response.json().await.expect("JSON")
}

/// `case` as `getCaseDetails` shows it, with every page of each list: the
/// lists are paged together, each by its own cursor until its last page.
async fn whole_case(service: &CaseService<'_>, case: &str) -> Value {
    // Pages of 50: the clients' cases have a few pages of each list.
    let mut request = json!({"caseId": case, "limit": 50});
    let mut whole: Option<Value> = None;
    let mut open = LISTS.to_vec();
    while !open.is_empty() {
        let page = read(service, "getCaseDetails", &request).await;
        let whole = whole.get_or_insert_with(|| {
            let mut first = page.clone();
            for (list, _, _) in LISTS {
                first[list] = json!([]);
            }
            first
        });
        // A list whose last page came is sent no cursor: its first page
        // comes again, and is passed over.
        open.retain(|&(list, cursor, next)| {
            let items = page[list].as_array().cloned().unwrap_or_default();
            whole[list].as_array_mut().expect("a list").extend(items);
            request[cursor] = page[next].clone();
            !page[next].is_null()
        });
    }
    whole.expect("a page")
}

/// `case`'s whole audit trail, as `getCaseAudit` shows it, page by page.
async fn whole_trail(service: &CaseService<'_>, case: &str) -> Vec<Value> {
    let mut request = json!({"caseId": case, "limit": 100});
    let mut trail = Vec::new();
    loop {
        let page = read(service, "getCaseAudit", &request).await;
        trail.extend(page["events"].as_array().cloned().unwrap_or_default());
        if page["nextCursor"].is_null() {
            return trail;
        }
        request["cursor"] = page["nextCursor"].clone();
    }
}

/// Every part added with success to an ECM client's case (customers,
/// accounts, external entities, transactions, narratives, and an
/// extension's event and customer) is on it, unless removed with success;
/// every part on it was sent (an attempt whose answer was lost may have
/// been applied), is there once, and has every field as sent. A part
/// removed with success is gone, and the trail keeps it ([`removed`]); a
/// part whose removal was left in doubt is there, or gone so.
pub async fn read_back_parts(service: &CaseService<'_>, ledger: &Ledger, cases: &[String]) {
    for case in cases {
        let whole = whole_case(service, case).await;
        let trail = whole_trail(service, case).await;
        for (list, _, _) in LISTS {
            let of_list = |p: &&Part| p.case == *case && p.list == list;
            let sent: HashMap<&str, &Value> = ledger
                .sent
                .iter()
                .filter(of_list)
                .map(|p| (p.id.as_str(), &p.fields))
                .collect();
            let mut listed = BTreeSet::new();
            for item in whole[list].as_array().into_iter().flatten() {
                let id = id_of(list, item);
                assert!(listed.insert(id), "{case}: {list} {id} is there once");
                let fields = sent
                    .get(id)
                    .unwrap_or_else(|| panic!("{case}: {list} {id} was never sent"));
                for (key, value) in fields.as_object().into_iter().flatten() {
                    assert_eq!(&item[key], value, "{case}: {list} {id} is whole: {item}");
                }
            }
            let among = |parts: &[Part], part: &Part| {
                parts
                    .iter()
                    .any(|p| (p.list, &p.id) == (part.list, &part.id))
            };
            for part in ledger.added.iter().filter(of_list) {
                let there = listed.contains(part.id.as_str());
                if among(&ledger.removed, part) {
                    assert!(!there, "{case}: {list} {} was removed", part.id);
                    removed(&trail, part);
                } else if among(&ledger.doubtful_removals, part) {
                    if !there {
                        removed(&trail, part);
                    }
                } else {
                    assert!(there, "{case}: {list} {} was added", part.id);
                }
            }
        }
    }
}

/// `part`, gone from its case, has its one removal record in `trail`: by
/// the analyst, holding the part as it was (every field as sent).
fn removed(trail: &[Value], part: &Part) {
    let (action, key) = removal_record(part.list).expect("a part that is removed");
    let records: Vec<&Value> = trail
        .iter()
        .filter(|e| e["action"] == action && e[key] == json!(part.id))
        .collect();
    let [record] = records[..] else {
        panic!(
            "{}: {} {} is removed once: {records:?}",
            part.case, part.list, part.id
        );
    };
    assert_eq!(record["actor"], json!(ANALYST), "{record}");
    let old: Value = record["oldValue"]
        .as_str()
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_else(|| panic!("{}: the removal keeps the part: {record}", part.case));
    for (field, value) in part.fields.as_object().into_iter().flatten() {
        assert_eq!(
            &old[field], value,
            "{}: the removal keeps {field}: {old}",
            part.case
        );
    }
}

/// Every promotion is durable and whole: its case, of the event's type
/// and priority Low, holds the event and its focus customer, with the
/// description, decision and release that succeeded; the customer is on
/// that case alone.
pub async fn read_back_promotions(service: &CaseService<'_>, ledger: &Ledger) {
    for promotion in &ledger.promotions {
        let Promotion { case, .. } = promotion;
        let whole = whole_case(service, case).await;
        let summary = &whole["case"];
        assert_eq!(
            (&summary["caseTypeCode"], &summary["priority"]),
            (&json!("AML"), &json!("Low")),
            "{case}: {summary}"
        );
        let events = whole["events"].as_array().expect("events");
        assert_eq!(events.len(), 1, "{case}: one event: {events:?}");
        let event = &events[0];
        assert_eq!(event["event"]["eventCode"], json!(promotion.event_code));
        let customers: Vec<&str> = whole["customers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["customerId"].as_str())
            .collect();
        assert_eq!(customers, [promotion.customer.as_str()], "{case}");
        if let Some(description) = &promotion.description {
            assert_eq!(summary["caseDescription"], json!(description), "{case}");
        }
        if promotion.decided {
            let sent = &decision(case, &promotion.event_code)[0]["events"][0];
            assert_eq!(
                [
                    &event["eventDecisionCode"],
                    &event["standardCommentId"],
                    &event["decisionComments"],
                    &event["decidedBy"]
                ],
                [
                    &sent["eventDecisionCode"],
                    &sent["standardCommentId"],
                    &sent["comments"],
                    &json!(ANALYST)
                ],
                "{case}: the decision: {event}"
            );
        }
        if promotion.unlocked {
            assert_eq!(whole["lock"], Value::Null, "{case} was unlocked");
        }
        // Nothing doubled: the customer's one event opened one case.
        let found = read(
            service,
            "getCustomerCases",
            &json!({"customerId": promotion.customer}),
        )
        .await;
        let cases: Vec<&Value> = found["cases"].as_array().into_iter().flatten().collect();
        assert_eq!(cases.len(), 1, "{}: {found}", promotion.customer);
        assert_eq!(cases[0]["caseId"], json!(case));
    }
}

/// Every event saved alone with success (`saveEvents`) or suppressed is
/// saved: its code, sent again, is refused as seen before. A suppressed one
/// opened no case, and its rule is listed, approved. Each event saved is
/// where its request put it (on no case alone or suppressed, on a case
/// promoted or extended), by a request that succeeded or was left in
/// doubt; nothing of a refused request was saved.
pub async fn read_back_events(service: &CaseService<'_>, ledger: &Ledger) {
    let suppressed: Vec<&str> = ledger
        .suppressed_events
        .iter()
        .map(|(code, _)| code.as_str())
        .collect();
    for code in ledger
        .saved_events
        .iter()
        .map(String::as_str)
        .chain(suppressed.iter().copied())
    {
        seen_before(service, code).await;
    }
    for (code, customer) in &ledger.suppressed_events {
        let found = read(
            service,
            "getCustomerCases",
            &json!({"customerId": customer}),
        )
        .await;
        assert_eq!(found["cases"], json!([]), "{code} opened no case: {found}");
    }
    rules_approved(service, ledger).await;
    let on_cases: Vec<&str> = ledger
        .promotions
        .iter()
        .map(|p| p.event_code.as_str())
        .chain(
            ledger
                .added
                .iter()
                .filter(|p| p.list == "events")
                .map(|p| p.id.as_str()),
        )
        .collect();
    for (what, sql, acknowledged) in [
        (
            "saved alone",
            "SELECT event_code AS id FROM events WHERE case_id IS NULL AND suppressed_by IS NULL",
            ledger
                .saved_events
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
        (
            "suppressed",
            "SELECT event_code AS id FROM events WHERE suppressed_by IS NOT NULL",
            suppressed.clone(),
        ),
        (
            "on a case",
            "SELECT event_code AS id FROM events WHERE case_id IS NOT NULL",
            on_cases,
        ),
    ] {
        let found = ids(service.database, sql);
        let accounted: BTreeSet<&str> = acknowledged
            .iter()
            .copied()
            .chain(ledger.doubtful_events.iter().map(String::as_str))
            .collect();
        let stray: Vec<&String> = found
            .iter()
            .filter(|c| !accounted.contains(c.as_str()))
            .collect();
        assert!(
            stray.is_empty(),
            "events {what}, but not so with success: {stray:?}"
        );
        let lost: Vec<&&str> = acknowledged
            .iter()
            .filter(|c| !found.contains(**c))
            .collect();
        assert!(
            lost.is_empty(),
            "events {what} with success, but not so: {lost:?}"
        );
    }
    let saved = ids(service.database, "SELECT event_code AS id FROM events");
    let customers = ids(
        service.database,
        "SELECT customer_id AS id FROM case_customers",
    );
    for (code, customer) in &ledger.refused_events {
        assert!(
            !saved.contains(code) && !customers.contains(customer),
            "a refused request left {code} or {customer} behind"
        );
    }
}

/// The event `code` is saved: `saveEvents` refuses it (and changes
/// nothing) as a code seen before.
async fn seen_before(service: &CaseService<'_>, code: &str) {
    let response = service
        .http
        .post(format!("{}{REAL_TIME}/{SAVE}", service.url))
        .bearer_auth(ecm_token(ANALYST, &["case:write"]))
        .json(&promotion(code, &format!("PROBE-{code}")))
        .send()
        .await
        .expect("sent");
    let status = response.status();
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(
        (status, answer),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"MESSAGE": EVENT_EXISTS, "STATUS": "FAILED"})
        ),
        "{code} is saved"
    );
}

/// Every suppression rule approved with success is listed, approved, for
/// its customer and the sample's scenario.
async fn rules_approved(service: &CaseService<'_>, ledger: &Ledger) {
    let mut listed = HashMap::new();
    let mut request = json!({});
    loop {
        let page = read_at(
            service,
            &format!("{RULES}/getSuppressionRulesList"),
            &request,
        )
        .await;
        for rule in page["RESULTARRAY"].as_array().into_iter().flatten() {
            let code = rule["supCode"].as_str().unwrap_or_default().to_owned();
            listed.insert(code, rule.clone());
        }
        if page["nextCursor"].is_null() {
            break;
        }
        request["cursor"] = page["nextCursor"].clone();
    }
    for (code, customer) in &ledger.rules {
        let rule = listed
            .get(code)
            .unwrap_or_else(|| panic!("{code} is listed"));
        assert_eq!(
            [
                &rule["supStatusCode"],
                &rule["customerId"],
                &rule["supScenarioSkey"]
            ],
            [&json!("SUPAPP"), &json!(customer), &json!(SCENARIO)],
            "{code} is approved: {rule}"
        );
    }
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// The `id` column of `sql` on the database at `url`.
pub fn ids(url: &str, sql: &str) -> BTreeSet<String> {
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::pg::PgConnection::establish(url).expect("connect");
    diesel::sql_query(sql)
        .load::<Id>(&mut conn)
        .expect("a query")
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// What a change to a case writes together (its rows, its audit record)
/// and what the load writes no other way: each query lists what stands
/// alone. The load never adds a part again once removed, so each
/// addition's audit record stands with its part once, until a removal
/// record (holding the part) follows it and the part is gone.
const CASE_HALF_DONE: &[(&str, &str)] = &[
    (
        "customers without their details",
        "SELECT c.case_id || '/' || c.customer_id AS id FROM case_customers c
         LEFT JOIN case_customer_details d ON d.case_id = c.case_id AND d.customer_id = c.customer_id
         WHERE d.case_id IS NULL",
    ),
    (
        "customers without their audit record",
        "SELECT c.case_id || '/' || c.customer_id AS id FROM case_customers c
         WHERE NOT EXISTS (SELECT 1 FROM case_audit a WHERE a.case_id = c.case_id
                           AND a.action = 'customerAdded' AND a.customer_id = c.customer_id)",
    ),
    (
        "records without their audit record",
        "SELECT r.case_id || '/' || r.kind || '/' || r.record_key AS id FROM case_records r
         WHERE NOT EXISTS (SELECT 1 FROM case_audit a WHERE a.case_id = r.case_id
                           AND a.action = r.kind || 'Added' AND a.record_key = r.record_key)",
    ),
    (
        "audit records of additions without their part",
        "SELECT a.id::text AS id FROM case_audit a
         WHERE (a.action = 'customerAdded' AND NOT EXISTS (SELECT 1 FROM case_customers c
                WHERE c.case_id = a.case_id AND c.customer_id = a.customer_id)
                AND NOT EXISTS (SELECT 1 FROM case_audit d WHERE d.case_id = a.case_id
                AND d.action = 'customerRemoved' AND d.customer_id = a.customer_id AND d.id > a.id))
            OR (a.action IN ('accountAdded', 'externalEntityAdded', 'transactionAdded')
                AND NOT EXISTS (SELECT 1 FROM case_records r WHERE r.case_id = a.case_id
                                AND a.action = r.kind || 'Added' AND r.record_key = a.record_key)
                AND NOT EXISTS (SELECT 1 FROM case_audit d WHERE d.case_id = a.case_id
                                AND d.action = replace(a.action, 'Added', 'Removed')
                                AND d.record_key = a.record_key AND d.id > a.id))
            OR (a.action = 'eventAdded' AND NOT EXISTS (SELECT 1 FROM events e
                WHERE e.case_id = a.case_id AND e.event_code = a.event_code))
            OR (a.action = 'narrativeAdded' AND NOT EXISTS (SELECT 1 FROM case_narratives n
                WHERE n.case_id = a.case_id AND n.id::text = a.record_id))",
    ),
    (
        "additions recorded twice",
        "SELECT case_id || '/' || action || '/' || coalesce(customer_id, coalesce(record_key, record_id), event_code) AS id
         FROM case_audit WHERE action IN ('customerAdded', 'accountAdded', 'externalEntityAdded',
                                          'transactionAdded', 'eventAdded', 'narrativeAdded')
         GROUP BY case_id, action, customer_id, coalesce(record_key, record_id), event_code
         HAVING count(*) > 1",
    ),
    (
        "additions recorded without what was added (sealed, the whole part)",
        "SELECT id::text AS id FROM case_audit
         WHERE action IN ('customerAdded', 'accountAdded', 'externalEntityAdded',
                          'transactionAdded', 'eventAdded', 'narrativeAdded')
           AND new_value IS NULL",
    ),
    (
        "removals whose part is still there",
        "SELECT d.id::text AS id FROM case_audit d
         WHERE (d.action = 'customerRemoved' AND EXISTS (SELECT 1 FROM case_customers c
                WHERE c.case_id = d.case_id AND c.customer_id = d.customer_id))
            OR (d.action IN ('accountRemoved', 'externalEntityRemoved', 'transactionRemoved')
                AND EXISTS (SELECT 1 FROM case_records r WHERE r.case_id = d.case_id
                            AND d.action = r.kind || 'Removed' AND r.record_key = d.record_key))",
    ),
    (
        "removals recorded twice",
        "SELECT case_id || '/' || action || '/' || coalesce(customer_id, record_key) AS id
         FROM case_audit WHERE action IN ('customerRemoved', 'accountRemoved',
                                          'externalEntityRemoved', 'transactionRemoved')
         GROUP BY case_id, action, customer_id, record_key HAVING count(*) > 1",
    ),
    (
        "removals recorded without what was removed (sealed, the whole part)",
        "SELECT id::text AS id FROM case_audit
         WHERE action IN ('customerRemoved', 'accountRemoved', 'externalEntityRemoved',
                          'transactionRemoved')
           AND (old_value IS NULL OR new_value IS NOT NULL)",
    ),
    (
        "narratives without their audit record",
        "SELECT n.id::text AS id FROM case_narratives n
         WHERE NOT EXISTS (SELECT 1 FROM case_audit a WHERE a.case_id = n.case_id
                           AND a.action = 'narrativeAdded' AND a.record_id = n.id::text)",
    ),
    (
        "events both suppressed and on a case",
        "SELECT event_code AS id FROM events WHERE suppressed_by IS NOT NULL AND case_id IS NOT NULL",
    ),
    (
        "events suppressed by a rule not approved",
        "SELECT e.event_code AS id FROM events e WHERE e.suppressed_by IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM suppression_rules s
                         WHERE s.id = e.suppressed_by AND s.status_code = 'SUPAPP')",
    ),
    (
        "rules decided without their decider, or approved without their first day",
        "SELECT id::text AS id FROM suppression_rules
         WHERE (status_code <> 'SUPPND' AND (decided_by IS NULL OR decided_at IS NULL))
            OR (status_code = 'SUPAPP' AND effective_on IS NULL)
            OR (status_code = 'SUPPND' AND (decided_by IS NOT NULL OR effective_on IS NOT NULL))",
    ),
    (
        "events on a case without their audit record (one alone or suppressed has none)",
        "SELECT e.event_code AS id FROM events e WHERE e.case_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM case_audit a WHERE a.case_id = e.case_id
                           AND a.action = 'eventAdded' AND a.event_code = e.event_code)",
    ),
    // An application's event (the flow's, SPEC §D) has no request
    // entities to keep: its customers are read from party-service and
    // kept on its case.
    (
        "events without their entities or kept customer entities",
        "SELECT e.event_code AS id FROM events e
         WHERE NOT EXISTS (SELECT 1 FROM event_entities n WHERE n.event_code = e.event_code)
            OR (NOT EXISTS (SELECT 1 FROM event_customers k WHERE k.event_code = e.event_code)
                AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.case_id = e.case_id
                                AND c.application_id IS NOT NULL))",
    ),
    (
        "customers an event names, not on its case",
        "SELECT e.event_code || '/' || n.cust_id AS id FROM events e
         JOIN event_entities n ON n.event_code = e.event_code
         WHERE e.case_id IS NOT NULL AND n.cust_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM case_customers c
               WHERE c.case_id = e.case_id AND c.customer_id = n.cust_id)",
    ),
    (
        "promoted cases without an event or their creation record",
        "SELECT c.case_id AS id FROM cases c WHERE c.priority IS NOT NULL
         AND (NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.case_id)
              OR NOT EXISTS (SELECT 1 FROM case_audit a WHERE a.case_id = c.case_id
                             AND a.action = 'caseCreated'))",
    ),
    (
        "decisions without their audit record",
        "SELECT e.event_code AS id FROM events e WHERE e.decided_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM case_audit a WHERE a.case_id = e.case_id
                         AND a.action = 'eventDecided' AND a.event_code = e.event_code
                         AND a.new_value = e.event_decision_code::text)",
    ),
    (
        "descriptions not the last one recorded",
        "SELECT c.case_id AS id FROM cases c WHERE c.case_description IS DISTINCT FROM
         (SELECT a.new_value FROM case_audit a WHERE a.case_id = c.case_id
          AND a.action = 'descriptionChanged' ORDER BY a.id DESC LIMIT 1)",
    ),
];

/// Each relation of [`CASE_HALF_DONE`] found broken in the database at
/// `database`, with what stands alone.
pub fn case_half_done(database: &str) -> Vec<String> {
    CASE_HALF_DONE
        .iter()
        .map(|(what, sql)| (what, ids(database, sql)))
        .filter(|(_, found)| !found.is_empty())
        .map(|(what, found)| format!("{what}: {found:?}"))
        .collect()
}
