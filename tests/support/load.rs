//! Load for the fault suite: concurrent CAM journeys (create the prospect,
//! the pre-requirements, upload a document, submit the action) and ECM
//! rounds (customers, accounts, transactions, external entities and a
//! narrative added to the client's case; an event promoted to a new case,
//! which is then locked, described, decided on and unlocked; and a
//! promotion the vendor refuses), every request bounded by a timeout, each
//! step retried while it fails cleanly. A ledger keeps every success (to
//! read back afterwards) and, as violations, every answer that was neither
//! a success, an expected refusal, nor a clean envelope 5xx (from
//! case-service a 503: the faults are not its own).

use super::cam::{b64, ecm_token, pdf_bytes, seed_create_prospect, Cam};
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The most a request may take: longer is a hang.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How often a step that failed cleanly is tried in all.
const ATTEMPTS: u32 = 10;
/// The pause before the n-th retry is n times this.
const BACKOFF: Duration = Duration::from_millis(300);
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
/// The vendor's words for an internal error: a real-time 500 that is no
/// refusal but a failure of ours.
const INTERNAL: &str = "Internal error occurred. Please contact system administrator.";
/// The subject of the ECM clients' token.
pub const ANALYST: &str = "analyst-faults";

/// A CAM journey, as far as it got.
#[derive(Debug, Clone, Default)]
pub struct Journey {
    /// The end user.
    pub subject: String,
    /// The application and its main party, once created.
    pub created: Option<(String, String)>,
    /// The action documents were uploaded to.
    pub proof: Option<String>,
    /// The documents uploaded with success.
    pub documents: Vec<String>,
    /// Whether the action was submitted with success.
    pub submitted: bool,
}

/// A part of a case as an ECM client sent it: a customer, an account, an
/// external entity, a transaction or a narrative.
#[derive(Debug, Clone)]
pub struct Part {
    /// The case.
    pub case: String,
    /// Its list in `getCaseDetails` (`customers`, `accounts`, ...).
    pub list: &'static str,
    /// Its id in that list (see [`id_of`]).
    pub id: String,
    /// The fields sent, each of which comes back as sent.
    pub fields: Value,
}

/// An event promoted with success to a new case, and what was then done
/// to that case with success.
#[derive(Debug, Clone)]
pub struct Promotion {
    /// The event's code.
    pub event_code: String,
    /// Its focus customer (on no other case).
    pub customer: String,
    /// The case it opened.
    pub case: String,
    /// The description set.
    pub description: Option<String>,
    /// Whether [`decision`] was recorded on the event.
    pub decided: bool,
    /// Whether the case was unlocked last (so it holds no lock).
    pub unlocked: bool,
}

/// What the load did.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Every CAM journey.
    pub journeys: Vec<Journey>,
    /// Every part sent to a case (of a narrative, every attempt's).
    pub sent: Vec<Part>,
    /// The parts added with success.
    pub added: Vec<Part>,
    /// The promotions that succeeded.
    pub promotions: Vec<Promotion>,
    /// The codes of promotions left without a definitive answer: saved or
    /// not, nobody can tell.
    pub doubtful_events: Vec<String>,
    /// The codes and focus customers of promotions the vendor refuses by
    /// design (beside a code seen before): never saved, whatever the answer.
    pub refused_events: Vec<(String, String)>,
    /// Answers that were neither a success nor a clean 5xx.
    pub violations: Vec<String>,
    /// Every answer, as `(operation, HTTP status)`.
    pub answers: Vec<(String, u16)>,
    /// Requests sent.
    pub requests: usize,
}

/// Which envelope an API answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    /// Fabric's: `opstatus`, `httpStatusCode`.
    Cam,
    /// ECM's: `MESSAGE`, `STATUS`.
    Ecm,
    /// ECM's real-time operations: the vendor's `message`, `status` (its
    /// success and its 500s), ECM's for the service's own refusals (503).
    RealTime,
}

/// The answer to one request.
#[derive(Debug)]
enum Answer {
    /// A success, with its body.
    Success(Value),
    /// A refusal in the API's envelope (a 4xx, or a real-time operation's
    /// documented 500): the caller decides whether it was expected.
    Refused(Value),
    /// A clean 5xx in the API's envelope (from case-service, a 503): worth
    /// a retry.
    Failed,
    /// Anything else: recorded as a violation.
    Broken,
}

/// The load's shared state: the ledger and the stop flag.
#[derive(Clone)]
pub struct Load {
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
}

impl Default for Load {
    fn default() -> Self {
        Self::new()
    }
}

impl Load {
    /// An empty ledger.
    pub fn new() -> Self {
        Self {
            ledger: Arc::default(),
            stop: Arc::default(),
        }
    }

    /// Asks every client to finish its current journey or round and stop.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The ledger, once every client has stopped.
    pub fn ledger(self) -> Ledger {
        std::mem::take(&mut *self.book())
    }

    /// The ledger, to write in.
    fn book(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().expect("the ledger")
    }

    /// Sends `request` for `operation`, and tells its answer by `api`'s
    /// envelope.
    async fn send(&self, operation: &str, api: Api, request: RequestBuilder) -> Answer {
        self.book().requests += 1;
        let (status, text) = match request.timeout(REQUEST_TIMEOUT).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.text().await.unwrap_or_default())
            }
            Err(e) => {
                self.violation(format!("{operation}: no answer: {e}"));
                return Answer::Broken;
            }
        };
        self.book().answers.push((operation.to_owned(), status));
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let upper = body["STATUS"].is_string() && body["MESSAGE"].is_string();
        let lower = body["status"].is_string() && body["message"].is_string();
        let (enveloped, succeeded) = match api {
            Api::Cam => (
                body["opstatus"].is_number() && body["httpStatusCode"] == json!(status),
                body["opstatus"] == json!(0),
            ),
            Api::Ecm => (upper, body["STATUS"] != "FAILED"),
            // The vendor's 500 is exactly `{message, status}`.
            Api::RealTime if status == 500 => (
                lower && body.as_object().is_some_and(|o| o.len() == 2),
                false,
            ),
            Api::RealTime if status == 200 => (lower, body["status"] == "SUCCESS"),
            Api::RealTime => (upper, false),
        };
        match (status, enveloped, succeeded) {
            (200, true, true) => Answer::Success(body),
            (400..=499, true, false) => Answer::Refused(body),
            (500, true, false) if api == Api::RealTime && body["message"] != INTERNAL => {
                Answer::Refused(body)
            }
            // The faults are the database's and the peers': case-service
            // owes a 503 for them, never an internal error (500).
            (503, true, false) => Answer::Failed,
            // user-action's are taken as the suite always took them.
            (500..=599, true, false) if api == Api::Cam => Answer::Failed,
            _ => {
                self.violation(format!("{operation}: {status} {text}"));
                Answer::Broken
            }
        }
    }

    fn violation(&self, what: String) {
        self.book().violations.push(what);
    }

    /// Sends what `request` builds for each attempt (numbered from 1) until
    /// it is answered other than with a clean 5xx, at most [`ATTEMPTS`]
    /// times: the last answer (`Failed` when every attempt failed) and its
    /// attempt.
    async fn attempts(
        &self,
        operation: &str,
        api: Api,
        request: impl Fn(u32) -> RequestBuilder,
    ) -> (Answer, u32) {
        for attempt in 1..=ATTEMPTS {
            match self.send(operation, api, request(attempt)).await {
                Answer::Failed => tokio::time::sleep(BACKOFF * attempt).await,
                answer => return (answer, attempt),
            }
        }
        (Answer::Failed, ATTEMPTS)
    }

    /// Sends what `request` builds until it succeeds, at most [`ATTEMPTS`]
    /// times while it fails cleanly; a refusal is a violation.
    async fn retried(
        &self,
        operation: &str,
        api: Api,
        request: impl Fn() -> RequestBuilder,
    ) -> Option<Value> {
        match self.attempts(operation, api, |_| request()).await {
            (Answer::Success(body), _) => Some(body),
            (Answer::Refused(body), _) => {
                self.violation(format!("{operation}: refused: {body}"));
                None
            }
            _ => None,
        }
    }

    /// Runs CAM journeys against `base` until stopped.
    pub async fn cam_client(self, base: String) {
        while !self.stopping() {
            let journey = self.journey(&base).await;
            self.book().journeys.push(journey);
        }
    }

    async fn journey(&self, base: &str) -> Journey {
        let subject = format!("applicant-{}", uuid::Uuid::new_v4());
        let cam = Cam::new(base, &subject);
        let mut journey = Journey {
            subject,
            ..Journey::default()
        };
        // The Idempotency-Key makes the create safe to repeat.
        let key = uuid::Uuid::new_v4().to_string();
        let create = || {
            cam.request("PersonalInfo/createProspectProfile")
                .header("Idempotency-Key", &key)
                .json(&seed_create_prospect())
        };
        let Some(created) = self
            .retried("createProspectProfile", Api::Cam, create)
            .await
        else {
            return journey;
        };
        let (app, party) = (
            created["Application_id"].as_str().unwrap_or_default(),
            created["Party_Id"].as_str().unwrap_or_default(),
        );
        journey.created = Some((app.to_owned(), party.to_owned()));
        let pre = || {
            cam.request("UserAction/createPreRequirements")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("jsondata={}")
        };
        let Some(_) = self.retried("createPreRequirements", Api::Cam, pre).await else {
            return journey;
        };
        let proof = format!("ProofOfIncomeEmployed_{party}_{app}");
        journey.proof = Some(proof.clone());
        let upload = json!({"UserActionIdentifier": proof, "Response": [{"fileName": "proof.pdf",
            "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1, "fileContents": b64(&pdf_bytes())}]});
        // Not idempotent: a retry after a lost answer may attach a second copy.
        let send_upload = || cam.request("UserAction/uploadDocument").json(&upload);
        let Some(uploaded) = self.retried("uploadDocument", Api::Cam, send_upload).await else {
            return journey;
        };
        journey.documents.extend(
            uploaded["Response"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["documentId"].as_str().map(str::to_owned)),
        );
        let update = json!({"UserActionIdentifier": proof, "Response": "", "Status": "Submitted"});
        let submit = || cam.request("UserAction/updateUserAction").json(&update);
        journey.submitted = self
            .retried("updateUserAction", Api::Cam, submit)
            .await
            .is_some();
        journey
    }

    /// Runs ECM rounds on `case` at `base` until stopped: each adds a batch
    /// of each kind of part and a narrative to `case`, promotes a new event
    /// (and works on its case), and promotes one beside the last code
    /// promoted, which the vendor refuses.
    pub async fn ecm_client(self, base: String, case: String) {
        let ecm = Ecm {
            http: reqwest::Client::new(),
            bearer: ecm_token(ANALYST, &["case:write"]),
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
