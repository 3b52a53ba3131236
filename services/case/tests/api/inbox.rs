//! `searchCases` (ours, issue 15), the case workers' inbox: every filter,
//! sort and page over five cases whose dates, priorities and assignees are
//! set to known values, the whole answer asserted; and each bad field
//! refused in the ECM envelope, naming it.

use crate::helpers::{
    create_cases, customer, envelope, post, post_raw, reader, spawn, token, writer, ANALYST,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, faults, Backend, TestApp};

/// Another analyst.
pub const OTHER: &str = "analyst-9";

/// Creates CA1 to CA5 and sets what a search sees of them behind the
/// service's back (dates, priorities), so that every answer is known:
///
/// | case | type | status | due        | priority | assignee  | other        |
/// |------|------|--------|------------|----------|-----------|--------------|
/// | CA1  | KYC  | NW     | 2020-01-01 | High     | analyst-7 | overdue      |
/// | CA2  | AML  | NW     | 2099-01-01 | Low      | analyst-9 | locked by 7  |
/// | CA3  | KYC  | NW     | —          | —        | —         |              |
/// | CA4  | AML  | CLS    | 2020-06-01 | —        | —         | closed       |
/// | CA5  | —    | NW     | 2030-01-01 | Medium   | —         | customer C-1 |
pub async fn five_cases(app: &TestApp) {
    let body = json!([
        {"caseId": "CA1", "caseTypeCode": "KYC"},
        {"caseId": "CA2", "caseTypeCode": "AML"},
        {"caseId": "CA3", "caseTypeCode": "KYC"},
        {"caseId": "CA4", "caseTypeCode": "AML"},
        {"caseId": "CA5"},
    ]);
    let (status, answer) = post(app, &writer(app), "createCase", &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = post(
        app,
        &writer(app),
        "assignCase",
        &json!([{"caseId": "CA1", "assignee": ANALYST}, {"caseId": "CA2", "assignee": OTHER}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = post(
        app,
        &writer(app),
        "addCustomer",
        &json!([{"caseId": "CA5", "customers": [customer("C-1")]}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = post(app, &writer(app), "lockCase", &json!({"caseId": "CA2"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let url = &app.vars["CASE_DATABASE_URL"];
    faults::execute(
        app.backend,
        url,
        "UPDATE cases SET due_date = '2020-01-01', priority = 'High', priority_rank = 3 WHERE case_id = 'CA1';
         UPDATE cases SET due_date = '2099-01-01', priority = 'Low', priority_rank = 1 WHERE case_id = 'CA2';
         UPDATE cases SET due_date = '2020-06-01', case_status_code = 'CLS' WHERE case_id = 'CA4';
         UPDATE cases SET due_date = '2030-01-01', priority = 'Medium', priority_rank = 2 WHERE case_id = 'CA5';
         UPDATE cases SET created_at = '2026-01-0' || substr(case_id, 3, 1) || 'T08:00:00.000000Z',
                          status_changed_at = '2026-02-0' || (6 - CAST(substr(case_id, 3, 1) AS INTEGER)) || 'T09:00:00.000000Z';
         UPDATE cases SET assigned_at = '2026-03-01T10:00:00.000000Z' WHERE assignee IS NOT NULL;",
    );
}

/// What the inbox shows of the case `n` (1 to 5) of [`five_cases`].
pub fn listed(n: usize) -> Value {
    let (kind, status, due, priority, assignee, overdue, focus, locked) = match n {
        1 => (
            json!("KYC"),
            "NW",
            json!("2020-01-01"),
            json!("High"),
            json!(ANALYST),
            true,
            Value::Null,
            Value::Null,
        ),
        2 => (
            json!("AML"),
            "NW",
            json!("2099-01-01"),
            json!("Low"),
            json!(OTHER),
            false,
            Value::Null,
            json!(ANALYST),
        ),
        3 => (
            json!("KYC"),
            "NW",
            Value::Null,
            Value::Null,
            Value::Null,
            false,
            Value::Null,
            Value::Null,
        ),
        4 => (
            json!("AML"),
            "CLS",
            json!("2020-06-01"),
            Value::Null,
            Value::Null,
            false,
            Value::Null,
            Value::Null,
        ),
        _ => (
            Value::Null,
            "NW",
            json!("2030-01-01"),
            json!("Medium"),
            Value::Null,
            false,
            Value::Null,
            Value::Null,
        ),
    };
    let (name, closed) = if status == "CLS" {
        ("Closed", "Y")
    } else {
        ("New", "N")
    };
    json!({
        "caseId": format!("CA{n}"), "caseTypeCode": kind, "caseDescription": null,
        "caseStatusCode": status, "caseStatusName": name,
        "caseStatusDateTime": format!("2026-02-0{} 09:00:00", 6 - n),
        "caseClosedFlag": closed, "createdOn": format!("2026-01-0{n} 08:00:00"),
        "createdBy": ANALYST, "priority": priority, "dueDate": due,
        "assignee": assignee,
        "assignedAt": if assignee.is_null() { Value::Null } else { json!("2026-03-01T10:00:00.000000Z") },
        "overdue": overdue, "focusCustomerId": focus, "lockedBy": locked
    })
}

/// The whole answer of a search that finds `total`, its page being the
/// cases `page` (numbers of [`five_cases`]).
pub fn found(total: i64, limit: i64, offset: i64, page: &[usize]) -> (StatusCode, Value) {
    let cases: Vec<Value> = page.iter().map(|n| listed(*n)).collect();
    (
        StatusCode::OK,
        json!({"MESSAGE": "Cases fetched successfully.", "STATUS": "SUCCESS",
               "total": total, "totalCapped": false, "limit": limit, "offset": offset,
               "cases": cases}),
    )
}

async fn searches_filter_sort_and_page(backend: Backend) {
    let app = spawn(backend).await;
    five_cases(&app).await;
    let mine = writer(&app);
    let search = |body: Value| {
        let (app, token) = (&app, reader(&app));
        async move { post(app, &token, "searchCases", &body).await }
    };
    // By due date, soonest first and none last, by default.
    assert_eq!(search(json!({})).await, found(5, 25, 0, &[1, 4, 5, 2, 3]));
    let cases: Vec<(Value, Vec<usize>)> = vec![
        (json!({"statusCodes": ["NW"]}), vec![1, 5, 2, 3]),
        (json!({"statusCodes": ["CLS", "INV"]}), vec![4]),
        (
            json!({"statusCodes": ["NW", "NW"], "caseTypeCodes": ["KYC"]}),
            vec![1, 3],
        ),
        (json!({"caseTypeCodes": ["AML", "OTHER"]}), vec![4, 2]),
        (json!({"priorities": ["High", "Medium"]}), vec![1, 5]),
        (json!({"assignee": "unassigned"}), vec![4, 5, 3]),
        (json!({"assignee": "any"}), vec![1, 4, 5, 2, 3]),
        (json!({"overdue": true}), vec![1]),
        (json!({"overdue": false}), vec![1, 4, 5, 2, 3]),
        (json!({"query": "CA"}), vec![1, 4, 5, 2, 3]),
        (json!({"query": "CA5"}), vec![5]),
        (json!({"query": "C-1"}), vec![5]),
        (json!({"query": "ca1"}), vec![]),
        (json!({"query": "CA_"}), vec![]),
        (json!({"query": "C%"}), vec![]),
        (
            json!({"sort": "dueDate", "order": "desc"}),
            vec![3, 2, 5, 4, 1],
        ),
        (json!({"sort": "priority"}), vec![2, 5, 1, 3, 4]),
        (
            json!({"sort": "priority", "order": "desc"}),
            vec![4, 3, 1, 5, 2],
        ),
        (
            json!({"sort": "createdOn", "order": "desc"}),
            vec![5, 4, 3, 2, 1],
        ),
        (json!({"sort": "statusChanged"}), vec![5, 4, 3, 2, 1]),
        (
            json!({"sort": "caseId", "order": "asc"}),
            vec![1, 2, 3, 4, 5],
        ),
        (
            json!({"statusCodes": ["NW"], "assignee": "unassigned", "sort": "caseId", "order": "desc"}),
            vec![5, 3],
        ),
        (json!({"overdue": true, "statusCodes": ["CLS"]}), vec![]),
    ];
    for (body, page) in cases {
        assert_eq!(
            search(body.clone()).await,
            found(page.len() as i64, 25, 0, &page),
            "{body}"
        );
    }
    // Pages, with the total on each; past the end an empty page.
    for (offset, page) in [
        (0, vec![1, 4]),
        (2, vec![5, 2]),
        (4, vec![3]),
        (5, vec![]),
        (10_000, vec![]),
    ] {
        assert_eq!(
            search(json!({"limit": 2, "offset": offset})).await,
            found(5, 2, offset, &page),
            "offset {offset}"
        );
    }
    assert_eq!(
        search(json!({"limit": 1.0, "offset": null, "sort": null})).await,
        found(5, 1, 0, &[1])
    );
    // `mine` is the caller's.
    assert_eq!(
        post(&app, &mine, "searchCases", &json!({"assignee": "mine"})).await,
        found(1, 25, 0, &[1])
    );
    let other = token(&app, OTHER, &["case:read"]);
    assert_eq!(
        post(&app, &other, "searchCases", &json!({"assignee": "mine"})).await,
        found(1, 25, 0, &[2])
    );
    assert_eq!(
        search(json!({"assignee": "mine"})).await,
        found(0, 25, 0, &[])
    );
}

async fn bad_searches_are_refused_naming_the_field(backend: Backend) {
    let app = spawn(backend).await;
    let bad = StatusCode::BAD_REQUEST;
    let statuses = "Invalid statusCodes: must be a list of at most 20 of NW, INV, ESC, CLS, APR, REJ, RFI, WDN.";
    let types = "Invalid caseTypeCodes: must be a list of at most 20 codes, each 1 to 64 characters, not blank, without control characters.";
    let priorities = "Invalid priorities: must be a list of at most 20 of Low, Medium, High.";
    let assignee = "Invalid assignee: must be one of mine, unassigned, any.";
    let sort = "Invalid sort: must be one of dueDate, priority, createdOn, statusChanged, caseId.";
    let order = "Invalid order: must be one of asc, desc.";
    let limit = "Invalid limit: must be a whole number from 1 to 100.";
    let offset = "Invalid offset: must be a whole number from 0 to 10000.";
    let many: Vec<&str> = vec!["NW"; 21];
    let table: Vec<(String, &str)> = vec![
        (
            r#"[]"#.into(),
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"{"status": ["NW"]}"#.into(),
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"{"limit": 5"#.into(),
            "Invalid JSON Input format. Please correct the data.",
        ),
        (r#"{"statusCodes": "NW"}"#.into(), statuses),
        (r#"{"statusCodes": ["XX"]}"#.into(), statuses),
        (r#"{"statusCodes": [1]}"#.into(), statuses),
        (json!({"statusCodes": many}).to_string(), statuses),
        (r#"{"caseTypeCodes": [" "]}"#.into(), types),
        (r#"{"caseTypeCodes": ["a\u0000"]}"#.into(), types),
        (
            json!({"caseTypeCodes": ["x".repeat(65)]}).to_string(),
            types,
        ),
        (r#"{"caseTypeCodes": {}}"#.into(), types),
        (r#"{"priorities": ["Urgent"]}"#.into(), priorities),
        (r#"{"priorities": ["low"]}"#.into(), priorities),
        (r#"{"assignee": "me"}"#.into(), assignee),
        (r#"{"assignee": 1}"#.into(), assignee),
        (
            r#"{"overdue": "yes"}"#.into(),
            "Invalid overdue: must be true or false.",
        ),
        (
            r#"{"query": ""}"#.into(),
            "Invalid query: must not be blank.",
        ),
        (
            r#"{"query": "  "}"#.into(),
            "Invalid query: must not be blank.",
        ),
        (
            json!({"query": "x".repeat(513)}).to_string(),
            "Invalid query: must be at most 512 characters.",
        ),
        (
            r#"{"query": "a\u0000b"}"#.into(),
            "Invalid query: must not contain control characters.",
        ),
        (r#"{"query": 5}"#.into(), "Invalid query: must be a string."),
        (r#"{"sort": "due"}"#.into(), sort),
        (r#"{"sort": "dueDate "}"#.into(), sort),
        (r#"{"order": "up"}"#.into(), order),
        (r#"{"limit": 0}"#.into(), limit),
        (r#"{"limit": 101}"#.into(), limit),
        (r#"{"limit": "5"}"#.into(), limit),
        (r#"{"limit": 2.5}"#.into(), limit),
        (r#"{"offset": -1}"#.into(), offset),
        (r#"{"offset": 10001}"#.into(), offset),
        (r#"{"offset": "1"}"#.into(), offset),
    ];
    for (body, message) in table {
        assert_eq!(
            post_raw(&app, Some(&reader(&app)), "searchCases", body.clone()).await,
            (bad, envelope(message)),
            "{body}"
        );
    }
    let unauthorized = post_raw(&app, None, "searchCases", "{}".into()).await;
    assert_eq!(unauthorized.0, StatusCode::UNAUTHORIZED, "{unauthorized:?}");
    let nobody = token(&app, "nobody", &["party:read"]);
    assert_eq!(
        post_raw(&app, Some(&nobody), "searchCases", "{}".into())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

/// The query plan of `sql` on `conn`, one line a step.
fn plan_of(backend: Backend, conn: &mut service_kit::DbConnection, sql: &str) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Sqlite {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Postgres {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let lines: Vec<String> = match backend {
        Backend::Sqlite => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<Sqlite>(conn)
            .expect("a plan")
            .into_iter()
            .map(|row| row.detail)
            .collect(),
        Backend::Postgres => diesel::sql_query(format!("EXPLAIN {sql}"))
            .load::<Postgres>(conn)
            .expect("a plan")
            .into_iter()
            .map(|row| row.line)
            .collect(),
    };
    lines.join("\n")
}

/// The inbox's pages read an index in their order: no scan of the table
/// and no sort, on either backend (PostgreSQL told to avoid both wherever
/// an index can do, as it would over 100,000 cases; with five it would
/// rightly read the table). The statements are `store::inbox`'s as diesel
/// writes them.
async fn filtered_sorted_pages_read_an_index(backend: Backend) {
    use diesel::connection::SimpleConnection;
    let app = spawn(backend).await;
    five_cases(&app).await;
    let mut conn = faults::connect(backend, &app.vars["CASE_DATABASE_URL"]);
    if backend == Backend::Postgres {
        conn.batch_execute(
            "SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off",
        )
        .expect("set");
    }
    let due = r#"ORDER BY "cases"."due_date" IS NULL, "cases"."due_date" ASC, "cases"."case_id" ASC LIMIT 25 OFFSET 25"#;
    let due_desc = r#"ORDER BY "cases"."due_date" IS NULL DESC, "cases"."due_date" DESC, "cases"."case_id" DESC LIMIT 25"#;
    let select = r#"SELECT "cases"."case_id", "cases"."due_date" FROM "cases""#;
    let statements = [
        format!("{select} {due}"),
        format!("{select} {due_desc}"),
        format!(r#"{select} WHERE "cases"."case_status_code" IN ('NW') {due}"#),
        format!(r#"{select} WHERE "cases"."assignee" IS NULL {due}"#),
        format!(r#"{select} WHERE "cases"."assignee" = 'analyst-7' {due_desc}"#),
        format!(r#"{select} WHERE "cases"."case_type_code" IN ('KYC') {due}"#),
        format!(
            r#"{select} WHERE "cases"."due_date" < '2026-12-07' AND "cases"."case_status_code" NOT IN ('CLS', 'APR', 'REJ', 'WDN') {due}"#
        ),
        format!(
            r#"{select} ORDER BY "cases"."priority_rank" IS NULL DESC, "cases"."priority_rank" DESC, "cases"."case_id" DESC LIMIT 25"#
        ),
        format!(r#"{select} ORDER BY "cases"."created_at" ASC, "cases"."case_id" ASC LIMIT 25"#),
        format!(
            r#"{select} ORDER BY "cases"."status_changed_at" DESC, "cases"."case_id" DESC LIMIT 25"#
        ),
        r#"SELECT COUNT(*) FROM "cases" WHERE "cases"."case_status_code" IN ('NW')"#.to_owned(),
        // Many matches: the filters checked on each row, read in order.
        format!(
            r#"{select} WHERE ("cases"."case_status_code" || '') IN ('NW') AND ("cases"."case_type_code" || '') IN ('KYC') AND ("cases"."assignee" || '') IS NULL ORDER BY "cases"."priority_rank" IS NULL DESC, "cases"."priority_rank" DESC, "cases"."case_id" DESC LIMIT 25"#
        ),
    ];
    for sql in statements {
        let plan = plan_of(backend, &mut conn, &sql);
        let scans = match backend {
            Backend::Sqlite => plan
                .lines()
                .any(|l| l == "SCAN cases" || l.contains("TEMP B-TREE")),
            Backend::Postgres => plan.contains("Seq Scan on cases") || plan.contains("Sort"),
        };
        assert!(!scans, "{sql}\n{plan}");
    }
    // The count's bound (`store::inbox::count`) reads an index: on SQLite
    // the filters' index alone, no table row (PostgreSQL over five rows,
    // never vacuumed, picks any index; over 100,000 it scans the filters'
    // index only where its visibility map lets it).
    let bound = r#"SELECT "cases"."case_status_code" FROM "cases" WHERE "cases"."case_status_code" IN ('NW') AND "cases"."case_type_code" IN ('KYC') AND "cases"."assignee" IS NULL LIMIT 1 OFFSET 10100"#;
    let plan = plan_of(backend, &mut conn, bound);
    let covered = match backend {
        Backend::Sqlite => plan.contains("USING COVERING INDEX cases_inbox_counts"),
        Backend::Postgres => !plan.contains("Seq Scan"),
    };
    assert!(covered, "{bound}\n{plan}");
    // A name is looked up in its index, not by reading every customer's.
    let by_name = r#"SELECT "case_customer_names"."case_id" FROM "case_customer_names" WHERE "case_customer_names"."name_index" = 'ab12'"#;
    let plan = plan_of(backend, &mut conn, by_name);
    let scans = match backend {
        Backend::Sqlite => !plan.contains("USING COVERING INDEX case_customer_names_by_index"),
        Backend::Postgres => plan.contains("Seq Scan"),
    };
    assert!(!scans, "{by_name}\n{plan}");
}

/// A case promoted from events lists the events' focus customer, is found
/// by it, and sorts by its priority (Low, ranked when it was opened).
async fn a_promoted_case_lists_its_focus_customer(backend: Backend) {
    use crate::events::{promote_sample, CUSTOMER};
    let app = crate::helpers::spawn_with(backend, &[("CASE_DUE_DAYS", "10")]).await;
    promote_sample(&app).await;
    create_cases(&app, &["CA0"]).await;
    let (status, answer) = post(
        &app,
        &reader(&app),
        "searchCases",
        &json!({"query": CUSTOMER, "sort": "priority"}),
    )
    .await;
    let at = answer["cases"][0]["createdOn"].clone();
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    assert_eq!(
        (status, answer),
        (
            StatusCode::OK,
            json!({"MESSAGE": "Cases fetched successfully.", "STATUS": "SUCCESS",
                   "total": 1, "totalCapped": false, "limit": 25, "offset": 0, "cases": [{
                "caseId": "CA1", "caseTypeCode": "AML", "caseDescription": null,
                "caseStatusCode": "NW", "caseStatusName": "New", "caseStatusDateTime": at,
                "caseClosedFlag": "N", "createdOn": at, "createdBy": ANALYST,
                "priority": "Low", "dueDate": due, "assignee": null, "assignedAt": null,
                "overdue": false, "focusCustomerId": CUSTOMER, "lockedBy": null
            }]})
        )
    );
    // Ranked: before the case made with createCase, which has no priority.
    let (_, all) = post(
        &app,
        &reader(&app),
        "searchCases",
        &json!({"sort": "priority"}),
    )
    .await;
    let ids: Vec<&Value> = all["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| &c["caseId"])
        .collect();
    assert_eq!(ids, [&json!("CA1"), &json!("CA0")]);
}

/// The inbox's migration, undone and done again over cases opened before
/// it: a promoted case gets its focus customer from its events and its
/// priority's rank back, so it lists and sorts as one opened since.
async fn the_migration_backfills_focus_customers_and_ranks(backend: Backend) {
    use crate::events::{promote_sample, CUSTOMER};
    let mut app = spawn(backend).await;
    promote_sample(&app).await;
    create_cases(&app, &["CA0"]).await;
    let url = app.vars["CASE_DATABASE_URL"].clone();
    // The later index on the inbox's columns goes first (SQLite drops no
    // column an index names).
    let (counts_down, down) = match backend {
        Backend::Sqlite => (
            include_str!("../../migrations/sqlite/2026-12-09-000003_case_inbox_counts/down.sql"),
            include_str!("../../migrations/sqlite/2026-12-08-000001_case_inbox/down.sql"),
        ),
        Backend::Postgres => (
            include_str!("../../migrations/postgres/2026-12-09-000003_case_inbox_counts/down.sql"),
            include_str!("../../migrations/postgres/2026-12-08-000001_case_inbox/down.sql"),
        ),
    };
    faults::execute(backend, &url, counts_down);
    faults::execute(backend, &url, down);
    faults::execute(
        backend,
        &url,
        "DELETE FROM __diesel_schema_migrations WHERE version IN ('20261208000001', '20261209000003')",
    );
    app.restart(&[], &crate::helpers::build).await;
    let (status, answer) = post(
        &app,
        &reader(&app),
        "searchCases",
        &json!({"sort": "priority"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let listed: Vec<(&Value, &Value)> = answer["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| (&c["caseId"], &c["focusCustomerId"]))
        .collect();
    assert_eq!(
        listed,
        [
            (&json!("CA1"), &json!(CUSTOMER)),
            (&json!("CA0"), &Value::Null)
        ]
    );
}

/// Writes `count` cases `CB1`… behind the service's back (creating them one
/// by one through the API would take minutes), each column of `columns`
/// given by an SQL expression of the case's number `i`.
fn write_cases(app: &TestApp, backend: Backend, count: u32, columns: &[(&str, &str)]) {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let values: Vec<&str> = columns.iter().map(|(_, value)| *value).collect();
    faults::execute(
        backend,
        &app.vars["CASE_DATABASE_URL"],
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
             INSERT INTO cases (case_id, status_changed_at, created_at, created_by, {})
             SELECT 'CB' || i, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'test', {}
             FROM n",
            names.join(", "),
            values.join(", ")
        ),
    );
}

/// Past 10,100 matches (the deepest page a search reaches) the total is
/// that many and says it is capped; at 10,100 or fewer it is exact.
async fn the_total_is_counted_up_to_the_deepest_page(backend: Backend) {
    let app = spawn(backend).await;
    write_cases(
        &app,
        backend,
        10_101,
        &[("case_type_code", "'KYC'"), ("case_status_code", "'NW'")],
    );
    let token = reader(&app);
    let totals = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            let (status, answer) = post(app, token, "searchCases", &body).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            (
                answer["total"].clone(),
                answer["totalCapped"].clone(),
                answer["cases"].as_array().map(Vec::len),
            )
        }
    };
    let capped = (json!(10100), json!(true), Some(1));
    assert_eq!(totals(json!({"limit": 1})).await, capped);
    assert_eq!(
        totals(json!({"statusCodes": ["NW"], "caseTypeCodes": ["KYC"], "assignee": "unassigned", "limit": 1})).await,
        capped
    );
    // The deepest page is still served.
    assert_eq!(
        totals(json!({"offset": 10000, "limit": 100})).await,
        (json!(10100), json!(true), Some(100))
    );
    assert_eq!(
        totals(json!({"query": "CB1000", "limit": 1})).await,
        (json!(11), json!(false), Some(1))
    );
    assert_eq!(
        totals(json!({"statusCodes": ["CLS"]})).await,
        (json!(0), json!(false), Some(0))
    );
    // Exactly 10,100: exact, not capped.
    faults::execute(
        backend,
        &app.vars["CASE_DATABASE_URL"],
        "DELETE FROM cases WHERE case_id = 'CB1'",
    );
    assert_eq!(
        totals(json!({"limit": 1})).await,
        (json!(10100), json!(false), Some(1))
    );
}

/// A search many cases match (on SQLite read in the sort's order, its
/// filters checked on each row: `store::inbox`, `READ_IN_ORDER_FROM`)
/// gives the same page, case for case, as the filters and the sort define
/// it, for every filter.
async fn many_matches_are_paged_in_the_sorts_order(backend: Backend) {
    let app = spawn(backend).await;
    // Of two types, two statuses, three priorities, half of them assigned.
    write_cases(
        &app,
        backend,
        6_000,
        &[
            (
                "case_type_code",
                "CASE WHEN i % 4 = 0 THEN 'AML' ELSE 'KYC' END",
            ),
            (
                "case_status_code",
                "CASE WHEN i % 3 = 0 THEN 'INV' ELSE 'NW' END",
            ),
            (
                "priority",
                "CASE i % 3 WHEN 0 THEN 'Low' WHEN 1 THEN 'Medium' ELSE 'High' END",
            ),
            ("priority_rank", "i % 3 + 1"),
            (
                "assignee",
                "CASE WHEN i % 2 = 0 THEN NULL ELSE 'analyst-7' END",
            ),
        ],
    );
    assert_eq!(ANALYST, "analyst-7", "the assignee written above");
    let priority = |i: u32| ["Low", "Medium", "High"][(i % 3) as usize];
    let token = reader(&app);
    let page = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            let (status, answer) = post(app, token, "searchCases", &body).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            let ids: Vec<String> = answer["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|c| c["caseId"].as_str().expect("an id").to_owned())
                .collect();
            (answer["total"].clone(), ids)
        }
    };
    // The expected page: the matches sorted by priority (High first), then
    // case id descending, as text.
    let expected = |keep: &dyn Fn(u32) -> bool, offset: usize| {
        let mut matches: Vec<u32> = (1..=6000).filter(|i| keep(*i)).collect();
        matches.sort_by_key(|i| {
            (
                std::cmp::Reverse(i % 3),
                std::cmp::Reverse(format!("CB{i}")),
            )
        });
        let ids: Vec<String> = matches
            .iter()
            .skip(offset)
            .take(5)
            .map(|i| format!("CB{i}"))
            .collect();
        (json!(matches.len()), ids)
    };
    let sorted = json!({"sort": "priority", "order": "desc", "limit": 5, "offset": 7});
    let with = |filters: Value| {
        let mut body = sorted.clone();
        body.as_object_mut()
            .expect("an object")
            .extend(filters.as_object().expect("filters").clone());
        body
    };
    let cases: [(Value, &dyn Fn(u32) -> bool); 4] = [
        (
            json!({"statusCodes": ["NW"], "caseTypeCodes": ["KYC"], "assignee": "unassigned"}),
            &|i| i % 3 != 0 && i % 4 != 0 && i % 2 == 0,
        ),
        (json!({"priorities": ["High", "Low"]}), &|i| {
            priority(i) != "Medium"
        }),
        (json!({"caseTypeCodes": ["AML"]}), &|i| i % 4 == 0),
        (
            json!({"statusCodes": ["INV", "NW"], "assignee": "any"}),
            &|_| true,
        ),
    ];
    for (filters, keep) in cases {
        let wanted = expected(keep, 7);
        assert!(
            wanted.0.as_i64().expect("a count") >= 1000,
            "{filters}: many match"
        );
        assert_eq!(page(with(filters.clone())).await, wanted, "{filters}");
    }
    // A case worker's own cases: ANALYST holds the odd ones.
    let (status, answer) = post(
        &app,
        &writer(&app),
        "searchCases",
        &with(json!({"assignee": "mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ids: Vec<&str> = answer["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["caseId"].as_str().expect("an id"))
        .collect();
    let (total, wanted) = expected(&|i| i % 2 == 1, 7);
    assert_eq!(
        (answer["total"].clone(), ids),
        (total, wanted.iter().map(String::as_str).collect())
    );
}

backend_tests!(
    many_matches_are_paged_in_the_sorts_order,
    the_total_is_counted_up_to_the_deepest_page,
    the_migration_backfills_focus_customers_and_ranks,
    a_promoted_case_lists_its_focus_customer,
    searches_filter_sort_and_page,
    bad_searches_are_refused_naming_the_field,
    filtered_sorted_pages_read_an_index
);
