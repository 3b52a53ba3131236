//! The fault suite's ECM clients. Each round, on the client's own case:
//! adds a batch of each kind of part and removes one of each batch again,
//! adds a narrative, saves an event alone (`saveEvents`) and extends the
//! case with another (`saveEventsAndExtendToCase`); promotes a new event
//! to a case of its own (and works on that case); has a suppression rule
//! made and approved and promotes an event it suppresses; and sends each
//! real-time operation a new event beside a code seen before, which the
//! vendor refuses. What succeeded goes in the [`Load`]'s ledger.

use super::cam::ecm_token;
use super::load::{message, Answer, Api, Load, Part, Promotion};
use reqwest::RequestBuilder;
use serde_json::{json, Value};

/// Parts (customers, accounts, ...) per batch.
const BATCH: usize = 3;
/// Where case-service's batch and single-case operations live.
pub const CASES: &str = "/rest-api/ECMService/CaseManagementService";
/// Where its real-time event operations live.
pub const REAL_TIME: &str = "/rest-api/CMRestService/RealTimeCaseCreationService";
/// Where its suppression rules are kept.
pub const RULES: &str = "/rest-api/CMRestService/SupressionListRestService";
/// The real-time operations: events saved alone, promoted to new cases,
/// extended to an existing case.
pub const SAVE: &str = "saveEvents";
const PROMOTE: &str = "saveEventsAndPromoteToCase";
const EXTEND: &str = "saveEventsAndExtendToCase";
/// The vendor's refusal of an event code seen before.
pub const EVENT_EXISTS: &str = "Event lookup entry already exists.";
/// A promotion whose every event a suppression rule kept from a case.
const ALL_SUPPRESSED: &str =
    "Event(s) saved successfully. Event(s) suppressed, not promoted to case.";
/// The scenario of the sample's event ([`promotion`]), which the rules
/// name.
pub const SCENARIO: &str = "User Defined Event";
/// The subject of the ECM clients' token.
pub const ANALYST: &str = "analyst-faults";
/// Who approves the analysts' suppression rules (never their creator).
const SUPERVISOR: &str = "supervisor-faults";

/// What became of a real-time request of new event codes.
enum Saved {
    /// Answered with success: the answer.
    Answered(Value),
    /// Refused on a retry as a code seen before: only an earlier attempt of
    /// this request can have saved it, its answer lost after its commit.
    Earlier,
    /// Neither: saved or not, nobody can tell (recorded as doubtful).
    InDoubt,
}

impl Load {
    /// Runs ECM rounds on `case` at `base` until stopped (see the module's
    /// doc).
    pub async fn ecm_client(self, base: String, case: String) {
        let http = reqwest::Client::new();
        let ecm = Ecm::new(&http, &base, ANALYST);
        let supervisor = Ecm::new(&http, &base, SUPERVISOR);
        let mut seen = None;
        let mut round = 0;
        while !self.stopping() {
            round += 1;
            let tag = format!("{case}-{round}");
            for kind in &KINDS {
                let parts = (0..BATCH)
                    .map(|i| (kind.part)(&format!("{tag}-{i}")))
                    .collect();
                let added = self.add_parts(&ecm, &case, kind, parts).await;
                if let Some(part) = added.first() {
                    self.remove_part(&ecm, kind, part).await;
                }
            }
            self.add_narrative(&ecm, &case, &tag).await;
            self.save_alone(&ecm, &tag).await;
            self.extend(&ecm, &case, &tag).await;
            if let Some(code) = self.promote(&ecm, &tag).await {
                seen = Some(code);
            }
            self.promote_suppressed(&ecm, &supervisor, &tag).await;
            if let Some(seen) = &seen {
                for (operation, label) in
                    [(SAVE, "ALONE"), (PROMOTE, "PROMOTED"), (EXTEND, "EXTENDED")]
                {
                    let tag = format!("{tag}-{label}");
                    self.beside(&ecm, operation, &case, &tag, seen).await;
                }
            }
        }
    }

    /// Sends `items` of `kind` to `case` by `operation` in one batch,
    /// retried while it fails cleanly: the ids of the items the answer says
    /// were done (on a retry, `again`, the message of an item done before,
    /// means a lost attempt did it), or `None` when no attempt was
    /// answered. An item refused otherwise is a violation.
    async fn batch(
        &self,
        ecm: &Ecm,
        case: &str,
        kind: &Kind,
        (operation, again): (&str, &str),
        items: &[Value],
    ) -> Option<Vec<String>> {
        let body = json!([{"caseId": case, kind.list: items}]);
        let (answer, attempt) = self
            .attempts(operation, Api::Ecm, |_| {
                ecm.request(CASES, operation).json(&body)
            })
            .await;
        // A retry after a lost answer finds every item done: 400.
        let (Answer::Success(answer) | Answer::Refused(answer)) = answer else {
            return None;
        };
        let lines: Vec<&Value> = answer["RESULTARRAY"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|item| item[kind.list].as_array().into_iter().flatten())
            .collect();
        if lines.len() != items.len() {
            self.violation(format!("{operation}: not a line an item: {answer}"));
        }
        let mut done = Vec::new();
        for line in lines {
            let sent = items.iter().any(|i| i[kind.id] == line[kind.id]);
            let ok = line["STATUS"] == "SUCCESS" || (attempt > 1 && line["MESSAGE"] == again);
            match line[kind.id].as_str() {
                Some(id) if sent && ok => done.push(id.to_owned()),
                _ => self.violation(format!("{operation}: refused: {line}")),
            }
        }
        Some(done)
    }

    /// Adds `parts` of `kind` to `case` in one batch, retried while it fails
    /// cleanly, and records what the answer says was added: those parts.
    async fn add_parts(&self, ecm: &Ecm, case: &str, kind: &Kind, parts: Vec<Value>) -> Vec<Part> {
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|fields| Part {
                case: case.to_owned(),
                list: kind.list,
                id: fields[kind.id].as_str().unwrap_or_default().to_owned(),
                fields,
            })
            .collect();
        self.book().sent.extend(parts.iter().cloned());
        let items: Vec<Value> = parts.iter().map(|p| p.fields.clone()).collect();
        let done = self
            .batch(ecm, case, kind, (kind.operation, kind.exists), &items)
            .await
            .unwrap_or_default();
        let added: Vec<Part> = parts.into_iter().filter(|p| done.contains(&p.id)).collect();
        self.book().added.extend(added.iter().cloned());
        added
    }

    /// Removes `part` (of `kind`) from its case, named by its id and, as the
    /// vendor's samples do, its type code: removed, or left in doubt.
    async fn remove_part(&self, ecm: &Ecm, kind: &Kind, part: &Part) {
        let item: serde_json::Map<String, Value> =
            [kind.id, "externalEntityTypeCode", "transactionTypeCode"]
                .into_iter()
                .filter_map(|key| Some((key.to_owned(), part.fields.get(key)?.clone())))
                .collect();
        let removal = (kind.remove, kind.gone);
        match self
            .batch(ecm, &part.case, kind, removal, &[Value::Object(item)])
            .await
        {
            Some(done) if done == [part.id.clone()] => self.book().removed.push(part.clone()),
            // Refused: a violation is recorded.
            Some(_) => {}
            None => self.book().doubtful_removals.push(part.clone()),
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
        let case = match self.save_new(ecm, PROMOTE, &code, &body).await {
            Saved::Answered(answer) => answer["cases"][0]["caseId"].as_str().map(str::to_owned),
            Saved::Earlier => {
                let find = json!({"customerId": customer});
                self.retried("getCustomerCases", Api::Ecm, || {
                    ecm.request(CASES, "getCustomerCases").json(&find)
                })
                .await
                .and_then(|found| found["cases"][0]["caseId"].as_str().map(str::to_owned))
            }
            Saved::InDoubt => return None,
        };
        // Saved, but on which case nobody can tell: left in doubt.
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

    /// Sends `operation` with `body`, whose event `code` is new, retried
    /// while it fails cleanly. Left in doubt, `code` is recorded as such; a
    /// refusal is a violation.
    async fn save_new(&self, ecm: &Ecm, operation: &str, code: &str, body: &Value) -> Saved {
        let api = api_of(operation);
        let (answer, attempt) = self
            .attempts(operation, api, |_| {
                ecm.request(REAL_TIME, operation).json(body)
            })
            .await;
        let saved = match answer {
            Answer::Success(answer) => Saved::Answered(answer),
            Answer::Refused(answer) if attempt > 1 && *message(&answer) == EVENT_EXISTS => {
                Saved::Earlier
            }
            Answer::Refused(answer) => {
                self.violation(format!("{operation}: {code} refused: {answer}"));
                Saved::InDoubt
            }
            Answer::Failed | Answer::Broken => Saved::InDoubt,
        };
        if let Saved::InDoubt = saved {
            self.book().doubtful_events.push(code.to_owned());
        }
        saved
    }

    /// Saves a new event alone (`saveEvents`), of a customer of its own.
    async fn save_alone(&self, ecm: &Ecm, tag: &str) {
        let (code, customer) = (format!("EV-{tag}-ALONE"), format!("ALONE-{tag}"));
        let body = promotion(&code, &customer);
        match self.save_new(ecm, SAVE, &code, &body).await {
            Saved::Answered(answer) if answer["Event Id(s)"] != json!(code) => {
                self.violation(format!("{SAVE}: {code}: {answer}"));
            }
            Saved::Answered(_) | Saved::Earlier => self.book().saved_events.push(code),
            Saved::InDoubt => {}
        }
    }

    /// Extends `case` with a new event of a customer of its own: both are
    /// parts of the case once it succeeds.
    async fn extend(&self, ecm: &Ecm, case: &str, tag: &str) {
        let (code, customer) = (format!("EV-{tag}-EXTENDED"), format!("EXTENDED-{tag}"));
        let mut body = promotion(&code, &customer);
        body["caseId"] = json!(case);
        let parts = extension(case, &body);
        self.book().sent.extend(parts.iter().cloned());
        match self.save_new(ecm, EXTEND, &code, &body).await {
            Saved::Answered(answer)
                if answer["cases"] != json!([{"caseId": case, "eventCodes": [code]}]) =>
            {
                self.violation(format!("{EXTEND}: {code}: {answer}"));
            }
            Saved::Answered(_) | Saved::Earlier => self.book().added.extend(parts),
            Saved::InDoubt => {}
        }
    }

    /// Has a suppression rule made for a customer of its own and approved
    /// (by someone other than its maker), then promotes an event of that
    /// customer which the rule matches: saved, it must open no case.
    async fn promote_suppressed(&self, ecm: &Ecm, supervisor: &Ecm, tag: &str) {
        let customer = format!("SUPPRESSED-{tag}");
        let Some(rule) = self.approved_rule(ecm, supervisor, &customer).await else {
            return;
        };
        let code = format!("EV-{tag}-SUPPRESSED");
        let body = promotion(&code, &customer);
        let suppressed = json!([{"eventCode": code, "supCode": rule}]);
        match self.save_new(ecm, PROMOTE, &code, &body).await {
            Saved::Answered(answer)
                if answer["message"] != ALL_SUPPRESSED
                    || answer["cases"] != json!([])
                    || answer["suppressedEvents"] != suppressed =>
            {
                self.violation(format!("{PROMOTE}: {code} under {rule}: {answer}"));
            }
            // An earlier attempt came after the approval too.
            Saved::Answered(_) | Saved::Earlier => {
                self.book().suppressed_events.push((code, customer));
            }
            Saved::InDoubt => {}
        }
    }

    /// A suppression rule of `customer` for the sample's scenario, made by
    /// `ecm` and approved by `supervisor`: its code, once approved with
    /// success.
    async fn approved_rule(&self, ecm: &Ecm, supervisor: &Ecm, customer: &str) -> Option<String> {
        // Far off: the rule is in force whatever day the suite runs.
        let rule =
            json!({"customerId": customer, "scenario": SCENARIO, "expiryDate": "31/12/2099"});
        // Not idempotent: a retry after a lost answer makes a second rule,
        // left pending, which suppresses nothing.
        let created = self
            .retried("createSuppressionRule", Api::Ecm, || {
                ecm.request(RULES, "createSuppressionRule").json(&rule)
            })
            .await?;
        let code = created["rule"]["supCode"].as_str()?.to_owned();
        let decision = json!({"supCode": code});
        let operation = "approveSuppressionRule";
        match self
            .attempts(operation, Api::Ecm, |_| {
                supervisor.request(RULES, operation).json(&decision)
            })
            .await
        {
            (Answer::Success(_), _) => {}
            // On a retry, approved already: by the attempt whose answer
            // was lost.
            (Answer::Refused(answer), attempt)
                if attempt > 1
                    && answer["MESSAGE"] == "Suppression rule is not pending: it is SUPAPP." => {}
            (Answer::Refused(answer), _) => {
                self.violation(format!("{operation}: {code} refused: {answer}"));
                return None;
            }
            (Answer::Failed | Answer::Broken, _) => return None,
        }
        self.book().rules.push((code.clone(), customer.to_owned()));
        Some(code)
    }

    /// Sends `operation` a new event beside `seen`, a code saved before
    /// (onto `case`, for an extension): the vendor refuses the whole
    /// request, so neither the new event nor its customer may ever be
    /// saved (checked afterwards, whatever the answer).
    async fn beside(&self, ecm: &Ecm, operation: &str, case: &str, tag: &str, seen: &str) {
        let (code, customer) = (format!("EV-{tag}-AGAIN"), format!("AGAIN-{tag}"));
        let mut body = promotion(&code, &customer);
        let mut again = body["events"][0].clone();
        again["eventCode"] = json!(seen);
        body["events"].as_array_mut().expect("events").push(again);
        if operation == EXTEND {
            body["caseId"] = json!(case);
        }
        self.book().refused_events.push((code.clone(), customer));
        let refusal = if operation == SAVE {
            json!({"MESSAGE": EVENT_EXISTS, "STATUS": "FAILED"})
        } else {
            json!({"message": EVENT_EXISTS, "status": "FAILED"})
        };
        let named = format!("{operation} (beside a code seen before)");
        match self
            .attempts(&named, api_of(operation), |_| {
                ecm.request(REAL_TIME, operation).json(&body)
            })
            .await
        {
            (Answer::Refused(answer), _) if answer == refusal => {}
            // Every attempt failed cleanly, or a violation is recorded.
            (Answer::Failed | Answer::Broken, _) => {}
            (other, _) => self.violation(format!("{code} beside {seen}: {other:?}")),
        }
    }
}

/// The envelope `operation`, a real-time one, answers in.
fn api_of(operation: &str) -> Api {
    if operation == SAVE {
        Api::SaveEvents
    } else {
        Api::RealTime
    }
}

/// The parts an extension of `case` by `body` adds to it: its event (as
/// sent, by the analyst, suppressed by nothing) and its customer (from its
/// `ECM_CUSTOMER` entities).
fn extension(case: &str, body: &Value) -> [Part; 2] {
    let event = &body["events"][0];
    let customer = &body["entities"][0]["custId"];
    [
        Part {
            case: case.to_owned(),
            list: "events",
            id: event["eventCode"].as_str().unwrap_or_default().to_owned(),
            fields: json!({"event": event, "suppressedBy": null, "savedBy": ANALYST}),
        },
        Part {
            case: case.to_owned(),
            list: "customers",
            id: customer.as_str().unwrap_or_default().to_owned(),
            fields: json!({"customerId": customer, "customerTypeCode": "IND",
                           "firstName": "ANDREW", "lastName": "ELEVENTH",
                           "genericInformation": body["entities"][1]["genericInformation"]}),
        },
    ]
}

/// An ECM user of case-service at `base`, who may change cases.
struct Ecm {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

impl Ecm {
    /// `subject` at `base`, through `http`.
    fn new(http: &reqwest::Client, base: &str, subject: &str) -> Self {
        Self {
            http: http.clone(),
            base: base.to_owned(),
            bearer: ecm_token(subject, &["case:write"]),
        }
    }

    /// A request to `operation` under `prefix`.
    fn request(&self, prefix: &str, operation: &str) -> RequestBuilder {
        self.http
            .post(format!("{}{prefix}/{operation}", self.base))
            .bearer_auth(&self.bearer)
    }
}

/// A kind of part added to cases in batches, and removed.
struct Kind {
    /// The operation that adds it.
    operation: &'static str,
    /// The operation that removes it.
    remove: &'static str,
    /// The request's list of it, and its list in `getCaseDetails`.
    list: &'static str,
    /// The key of its id.
    id: &'static str,
    /// The message of a part already on the case.
    exists: &'static str,
    /// The message of a part not on the case (removing it).
    gone: &'static str,
    /// The audit trail's action of its removal.
    removed: &'static str,
    /// A part of this kind with every documented field, given its id.
    part: fn(&str) -> Value,
}

/// The kinds of parts added in batches.
const KINDS: [Kind; 4] = [
    Kind {
        operation: "addCustomer",
        remove: "removeCustomer",
        list: "customers",
        id: "customerId",
        exists: "Customer already exists.",
        gone: "Customer does not exist in case.",
        removed: "customerRemoved",
        // With details, so a customer half-added shows in the database.
        part: |id| {
            let mut customer = super::hostile::ecm_customer(id);
            customer["genericInformation"] = json!({"batch": id});
            customer
        },
    },
    Kind {
        operation: "addAccount",
        remove: "removeAccount",
        list: "accounts",
        id: "accountId",
        exists: "Account already exists.",
        gone: "Account does not exist in case.",
        removed: "accountRemoved",
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
        remove: "removeExternalEntity",
        list: "externalEntities",
        id: "externalEntity",
        exists: "External Entity already exists.",
        gone: "External Entity does not exist in case.",
        removed: "externalEntityRemoved",
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
        remove: "removeTransaction",
        list: "transactions",
        id: "transactionReferenceId",
        exists: "Transaction already exists.",
        gone: "Transaction does not exist in case.",
        removed: "transactionRemoved",
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
/// narrative's is its text, an event's its code.
pub fn id_of<'a>(list: &str, item: &'a Value) -> &'a str {
    let id = match list {
        "narratives" => &item["narrative"],
        "events" => &item["event"]["eventCode"],
        _ => KINDS
            .iter()
            .find(|k| k.list == list)
            .map_or(&Value::Null, |k| &item[k.id]),
    };
    id.as_str().unwrap_or_default()
}

/// The audit record of a part of the list `list` removed: its action, and
/// the key of the trail's entry that names the part (`customerId` or
/// `recordId`).
pub fn removal_record(list: &str) -> Option<(&'static str, &'static str)> {
    let kind = KINDS.iter().find(|k| k.list == list)?;
    let key = if list == "customers" {
        "customerId"
    } else {
        "recordId"
    };
    Some((kind.removed, key))
}

/// The vendor's appendix C sample as the event `code` of `customer` (its
/// focus, and the customer its entities describe).
pub fn promotion(code: &str, customer: &str) -> Value {
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
