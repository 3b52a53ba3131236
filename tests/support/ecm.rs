//! The fault suite's ECM clients: each round adds a batch of each kind of
//! part and a narrative to the client's case, promotes a new event (and
//! works on its case), and promotes one beside a code seen before, which
//! the vendor refuses. What succeeded goes in the [`Load`]'s ledger.

use super::cam::token;
use super::load::{Answer, Api, Load, Part, Promotion};
use reqwest::RequestBuilder;
use serde_json::{json, Value};

/// Parts (customers, accounts, ...) per batch.
const BATCH: usize = 3;
/// Where case-service's batch and single-case operations live.
pub const CASES: &str = "/rest-api/ECMService/CaseManagementService";
/// Where its real-time event operations live.
const REAL_TIME: &str = "/rest-api/CMRestService/RealTimeCaseCreationService";
/// The real-time promotion.
const PROMOTE: &str = "saveEventsAndPromoteToCase";
/// The vendor's refusal of an event code seen before.
const EVENT_EXISTS: &str = "Event lookup entry already exists.";
/// The subject of the ECM clients' token.
pub const ANALYST: &str = "analyst-faults";

impl Load {
    /// Runs ECM rounds on `case` at `base` until stopped: each adds a batch
    /// of each kind of part and a narrative to `case`, promotes a new event
    /// (and works on its case), and promotes one beside the last code
    /// promoted, which the vendor refuses.
    pub async fn ecm_client(self, base: String, case: String) {
        let ecm = Ecm {
            http: reqwest::Client::new(),
            bearer: token(ANALYST, &["case:write"]),
            base,
        };
        let mut seen = None;
        let mut round = 0;
        while !self.stopping() {
            round += 1;
            let tag = format!("{case}-{round}");
            for kind in &KINDS {
                let parts = (0..BATCH)
                    .map(|i| (kind.part)(&format!("{tag}-{i}")))
                    .collect();
                self.add_parts(&ecm, &case, kind, parts).await;
            }
            self.add_narrative(&ecm, &case, &tag).await;
            if let Some(code) = self.promote(&ecm, &tag).await {
                seen = Some(code);
            }
            if let Some(seen) = &seen {
                self.promote_beside(&ecm, &tag, seen).await;
            }
        }
    }

    /// Adds `parts` of `kind` to `case` in one batch, retried while it fails
    /// cleanly, and records what the answer says was added.
    async fn add_parts(&self, ecm: &Ecm, case: &str, kind: &Kind, parts: Vec<Value>) {
        let part = |fields: &Value| Part {
            case: case.to_owned(),
            list: kind.list,
            id: fields[kind.id].as_str().unwrap_or_default().to_owned(),
            fields: fields.clone(),
        };
        self.book().sent.extend(parts.iter().map(part));
        let body = json!([{"caseId": case, kind.list: parts}]);
        let (answer, attempt) = self
            .attempts(kind.operation, Api::Ecm, |_| {
                ecm.request(CASES, kind.operation).json(&body)
            })
            .await;
        // A retry after a lost answer finds every part already there: 400.
        let (Answer::Success(answer) | Answer::Refused(answer)) = answer else {
            return;
        };
        let lines: Vec<&Value> = answer["RESULTARRAY"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|item| item[kind.list].as_array().into_iter().flatten())
            .collect();
        let mut book = self.book();
        if lines.len() != parts.len() {
            book.violations
                .push(format!("{}: not a line a part: {answer}", kind.operation));
        }
        for line in lines {
            // On a retry, "already exists" means a lost attempt added it.
            let added =
                line["STATUS"] == "SUCCESS" || (attempt > 1 && line["MESSAGE"] == kind.exists);
            match parts.iter().find(|p| p[kind.id] == line[kind.id]) {
                Some(fields) if added => book.added.push(part(fields)),
                _ => book
                    .violations
                    .push(format!("{}: refused: {line}", kind.operation)),
            }
        }
    }

    /// Adds a narrative to `case`. A narrative has no id that would make a
    /// retry safe, so each attempt sends a text of its own: the case then
    /// shows which attempts were applied.
    async fn add_narrative(&self, ecm: &Ecm, case: &str, tag: &str) {
        let narrative = |attempt: u32| Part {
            case: case.to_owned(),
            list: "narratives",
            id: format!("Narrative {tag}, attempt {attempt}."),
            fields: json!({"narrative": format!("Narrative {tag}, attempt {attempt}.")}),
        };
        let (answer, attempt) = self
            .attempts("addNarrative", Api::Ecm, |attempt| {
                let part = narrative(attempt);
                let body = json!([{"caseId": case, "narrative": part.id}]);
                self.book().sent.push(part);
                ecm.request(CASES, "addNarrative").json(&body)
            })
            .await;
        match answer {
            Answer::Success(_) => self.book().added.push(narrative(attempt)),
            Answer::Refused(body) => self.violation(format!("addNarrative: refused: {body}")),
            _ => {}
        }
    }

    /// Promotes a new event, of a customer of its own, to a new case; then
    /// locks the case, sets its description, records a decision on the
    /// event and unlocks it. The event's code once promoted.
    async fn promote(&self, ecm: &Ecm, tag: &str) -> Option<String> {
        let (code, customer) = (format!("EV-{tag}"), format!("FOCUS-{tag}"));
        let body = promotion(&code, &customer);
        let case = match self
            .attempts(PROMOTE, Api::RealTime, |_| {
                ecm.request(REAL_TIME, PROMOTE).json(&body)
            })
            .await
        {
            (Answer::Success(answer), _) => {
                answer["cases"][0]["caseId"].as_str().map(str::to_owned)
            }
            // Only an earlier attempt of this request can have saved the
            // code: its answer was lost after its commit.
            (Answer::Refused(answer), attempt)
                if attempt > 1 && answer["message"] == EVENT_EXISTS =>
            {
                let find = json!({"customerId": customer});
                self.retried("getCustomerCases", Api::Ecm, || {
                    ecm.request(CASES, "getCustomerCases").json(&find)
                })
                .await
                .and_then(|found| found["cases"][0]["caseId"].as_str().map(str::to_owned))
            }
            (Answer::Refused(answer), _) => {
                self.violation(format!("{PROMOTE}: {code} refused: {answer}"));
                None
            }
            _ => None,
        };
        let Some(case) = case else {
            self.book().doubtful_events.push(code);
            return None;
        };
        let on_case = |operation: &'static str, body: Value| {
            self.retried(operation, Api::Ecm, move || {
                ecm.request(CASES, operation).json(&body)
            })
        };
        on_case("lockCase", json!({"caseId": case})).await;
        let text = format!("Opened by event {code}.");
        let described = on_case(
            "updateCaseDescription",
            json!({"caseId": case, "caseDescription": text}),
        )
        .await;
        let decided = on_case("updateEventRiskDecision", decision(&case, &code)).await;
        let unlocked = on_case("unlockCase", json!({"caseId": case})).await;
        self.book().promotions.push(Promotion {
            event_code: code.clone(),
            customer,
            case,
            description: described.map(|_| text),
            decided: decided.is_some(),
            unlocked: unlocked.is_some(),
        });
        Some(code)
    }

    /// Promotes a new event beside `seen`, a code promoted before: the
    /// vendor refuses the whole request, so neither the new event nor its
    /// customer may ever be saved (checked afterwards, whatever the answer).
    async fn promote_beside(&self, ecm: &Ecm, tag: &str, seen: &str) {
        let (code, customer) = (format!("EV-{tag}-AGAIN"), format!("FOCUS-{tag}-AGAIN"));
        let mut body = promotion(&code, &customer);
        let mut again = body["events"][0].clone();
        again["eventCode"] = json!(seen);
        body["events"].as_array_mut().expect("events").push(again);
        self.book().refused_events.push((code.clone(), customer));
        let operation = "saveEventsAndPromoteToCase (beside a code seen before)";
        match self
            .attempts(operation, Api::RealTime, |_| {
                ecm.request(REAL_TIME, PROMOTE).json(&body)
            })
            .await
        {
            (Answer::Refused(answer), _)
                if answer == json!({"message": EVENT_EXISTS, "status": "FAILED"}) => {}
            // Every attempt failed cleanly, or a violation is recorded.
            (Answer::Failed | Answer::Broken, _) => {}
            (other, _) => self.violation(format!("{code} beside {seen}: {other:?}")),
        }
    }
}

/// An ECM analyst of case-service at `base`, who may change cases.
struct Ecm {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

impl Ecm {
    /// A request to `operation` under `prefix`.
    fn request(&self, prefix: &str, operation: &str) -> RequestBuilder {
        self.http
            .post(format!("{}{prefix}/{operation}", self.base))
            .bearer_auth(&self.bearer)
    }
}

/// A kind of part added to cases in batches.
struct Kind {
    /// The operation that adds it.
    operation: &'static str,
    /// The request's list of it, and its list in `getCaseDetails`.
    list: &'static str,
    /// The key of its id.
    id: &'static str,
    /// The message of a part already on the case.
    exists: &'static str,
    /// A part of this kind with every documented field, given its id.
    part: fn(&str) -> Value,
}

/// The kinds of parts added in batches.
const KINDS: [Kind; 4] = [
    Kind {
        operation: "addCustomer",
        list: "customers",
        id: "customerId",
        exists: "Customer already exists.",
        // With details, so a customer half-added shows in the database.
        part: |id| {
            let mut customer = super::hostile::ecm_customer(id);
            customer["genericInformation"] = json!({"batch": id});
            customer
        },
    },
    Kind {
        operation: "addAccount",
        list: "accounts",
        id: "accountId",
        exists: "Account already exists.",
        part: |id| {
            json!({"accountId": id, "businessAdd": "N", "accountName": "Everyday savings",
                   "type1": "SAV", "type2": "RET", "registrationType": "IND", "ownerTypeCode": "C",
                   "taxIdFormatCode": "S", "taxId": "123-45-6789", "firmId": "F1", "taxWithHoldCode": "N",
                   "jurisdictionCode": "AMEA", "businessDomainCode": "a", "houseHoldGroupId": "HH1",
                   "legalEntity": "LE1", "openDate": "2020-01-15 09:30:00", "closeDate": "2024-06-30 17:00:00"})
        },
    },
    Kind {
        operation: "addExternalEntity",
        list: "externalEntities",
        id: "externalEntity",
        exists: "External Entity already exists.",
        part: |id| {
            json!({"externalEntity": id, "businessAdd": "N", "externalEntityTypeCode": "XA",
                   "lastActivityDate": "2024-03-01 12:00:00", "riskRating": 2,
                   "jurisdictionCode": "AMEA", "businessDomainCode": "a", "institution": "BANK1",
                   "institutionName": "First Bank", "institutionId": "INST1",
                   "contactInformation": {"addressLine1": "1 Main St", "addressLine2": "Floor 2",
                                          "addressLine3": "Suite 3", "city": "Pune", "stateCode": "MH",
                                          "postalCode": "411001", "countryCode": "IN"}})
        },
    },
    Kind {
        operation: "addTransaction",
        list: "transactions",
        id: "transactionReferenceId",
        exists: "Transaction already exists.",
        // An exact amount: it must come back as sent.
        part: |id| {
            json!({"transactionReferenceId": id, "businessAdd": "N", "transactionTypeCode": "B",
                   "accountId": "ACCT-123", "offsetAccountId": "ACCT-999", "securityId": "SEC1",
                   "quantity": 10, "transactionDateTime": "2024-03-01 12:00:00",
                   "debitOrCreditCode": "D", "baseAmount": 12345.67})
        },
    },
];

/// The id of `item`, an entry of the list `list` of `getCaseDetails`: a
/// narrative's is its text.
pub fn id_of<'a>(list: &str, item: &'a Value) -> &'a str {
    let key = KINDS
        .iter()
        .find(|k| k.list == list)
        .map_or("narrative", |k| k.id);
    item[key].as_str().unwrap_or_default()
}

/// The vendor's appendix C sample as the event `code` of `customer` (its
/// focus, and the customer its entities describe).
fn promotion(code: &str, customer: &str) -> Value {
    let sample = include_str!("../../services/case/tests/api/events_sample.json")
        .replace("POSTARJ1", code)
        .replace("CUHRTHRCPHH-002", customer);
    serde_json::from_str(&sample).expect("the sample parses")
}

/// The vendor's `updateEventRiskDecision` sample for the event `code` of
/// `case`.
pub fn decision(case: &str, code: &str) -> Value {
    json!([{"caseId": case, "events": [{
        "eventCode": code, "eventTypeCode": "AML", "dataOrigin": "DLY",
        "eventDecisionCode": 1, "standardCommentId": "8151,8152",
        "comments": "This event is suspicious."
    }]}])
}
