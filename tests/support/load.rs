//! Load for the fault suite: concurrent CAM journeys (create the prospect,
//! the pre-requirements, upload a document, submit the action) and ECM
//! rounds ([`super::ecm`]), every request bounded by a timeout, each step
//! retried while it fails cleanly. A ledger keeps every success (to read
//! back afterwards) and, as violations, every answer that was neither a
//! success, an expected refusal, nor a clean envelope 5xx (from
//! case-service a 503: the faults are not its own).

use super::cam::{b64, pdf_bytes, seed_create_prospect, Cam};
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
/// The vendor's words for an internal error: a real-time 500 that is no
/// refusal but a failure of ours.
const INTERNAL: &str = "Internal error occurred. Please contact system administrator.";

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
    /// Every part sent to a case (of a narrative, every attempt's; of an
    /// extension, its event and customer).
    pub sent: Vec<Part>,
    /// The parts added with success.
    pub added: Vec<Part>,
    /// The parts removed with success: gone, with their audit record.
    pub removed: Vec<Part>,
    /// The parts whose removal was left without a definitive answer: in
    /// place, or gone with their audit record.
    pub doubtful_removals: Vec<Part>,
    /// The promotions that succeeded.
    pub promotions: Vec<Promotion>,
    /// The codes of events saved with success alone (`saveEvents`), on
    /// no case.
    pub saved_events: Vec<String>,
    /// The codes and focus customers of events promoted with success under
    /// an approved suppression rule of their customer: saved, on no case.
    pub suppressed_events: Vec<(String, String)>,
    /// The codes of suppression rules approved with success, and their
    /// customers.
    pub rules: Vec<(String, String)>,
    /// The codes of events saved, promoted or extended without a
    /// definitive answer: saved or not, nobody can tell.
    pub doubtful_events: Vec<String>,
    /// The codes and focus customers of events the vendor refuses by
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
pub(super) enum Api {
    /// Fabric's: `opstatus`, `httpStatusCode`.
    Cam,
    /// ECM's: `MESSAGE`, `STATUS`.
    Ecm,
    /// ECM's real-time promotion and extension: the vendor's `message`,
    /// `status` (its success and its 500s), ECM's for the service's own
    /// refusals (503).
    RealTime,
    /// ECM's `saveEvents`: ECM's envelope throughout, the vendor's 500s
    /// exactly `{MESSAGE, STATUS}`.
    SaveEvents,
}

/// The answer to one request.
#[derive(Debug)]
pub(super) enum Answer {
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

    pub(super) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The ledger, once every client has stopped.
    pub fn ledger(self) -> Ledger {
        std::mem::take(&mut *self.book())
    }

    /// The ledger, to write in.
    pub(super) fn book(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().expect("the ledger")
    }

    /// Sends `request` for `operation`, and tells its answer by `api`'s
    /// envelope.
    pub(super) async fn send(&self, operation: &str, api: Api, request: RequestBuilder) -> Answer {
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
            // The vendor's 500 is exactly `{message, status}`, in the
            // operation's casing.
            Api::RealTime | Api::SaveEvents if status == 500 => (
                (if api == Api::RealTime { lower } else { upper })
                    && body.as_object().is_some_and(|o| o.len() == 2),
                false,
            ),
            Api::RealTime if status == 200 => (lower, body["status"] == "SUCCESS"),
            Api::RealTime => (upper, false),
            Api::SaveEvents => (upper, body["STATUS"] == "SUCCESS"),
        };
        let real_time = matches!(api, Api::RealTime | Api::SaveEvents);
        match (status, enveloped, succeeded) {
            (200, true, true) => Answer::Success(body),
            (400..=499, true, false) => Answer::Refused(body),
            (500, true, false) if real_time && *message(&body) != INTERNAL => Answer::Refused(body),
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

    pub(super) fn violation(&self, what: String) {
        self.book().violations.push(what);
    }

    /// Sends what `request` builds for each attempt (numbered from 1) until
    /// it is answered other than with a clean 5xx, at most [`ATTEMPTS`]
    /// times: the last answer (`Failed` when every attempt failed) and its
    /// attempt.
    pub(super) async fn attempts(
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
    pub(super) async fn retried(
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
}

/// The message of an answer in either casing (`MESSAGE` or `message`).
pub(super) fn message(answer: &Value) -> &Value {
    match &answer["MESSAGE"] {
        Value::Null => &answer["message"],
        upper => upper,
    }
}
