//! Load for the fault suite: concurrent CAM journeys (create the prospect,
//! the pre-requirements, upload a document, submit the action) and ECM
//! `addCustomer` batches, every request bounded by a timeout, each step
//! retried while it fails cleanly. A ledger keeps every success (to read
//! back afterwards) and every answer that was neither a success nor a clean
//! envelope 5xx (a violation).

use super::cam::{b64, pdf_bytes, seed_create_prospect, token, Cam};
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most a request may take: longer is a hang.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How often a step that failed cleanly is tried in all.
const ATTEMPTS: u32 = 10;
/// The pause before the n-th retry is n times this.
const BACKOFF: Duration = Duration::from_millis(300);
/// Customers per `addCustomer` batch.
const BATCH: usize = 3;

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

/// What the load did.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Every CAM journey.
    pub journeys: Vec<Journey>,
    /// `(case, customerId)` added with success.
    pub customers: Vec<(String, String)>,
    /// Every customer id ever sent.
    pub sent_customers: Vec<String>,
    /// Answers that were neither a success nor a clean 5xx.
    pub violations: Vec<String>,
    /// Clean 5xx answers, by operation.
    pub clean_failures: Vec<(String, u16)>,
    /// Requests sent.
    pub requests: usize,
}

/// The answer to one request.
enum Answer {
    /// A success, with its body.
    Success(Value),
    /// A clean 5xx in the API's envelope: worth a retry.
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

    /// Asks every client to finish its current journey or batch and stop.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The ledger, once every client has stopped.
    pub fn ledger(self) -> Ledger {
        std::mem::take(&mut *self.ledger.lock().expect("the ledger"))
    }

    /// Sends `request` for `operation`; a clean 5xx is the API's envelope
    /// (`cam`: Fabric, else ECM) with a 5xx status.
    async fn send(&self, operation: &str, cam: bool, request: RequestBuilder) -> Answer {
        self.ledger.lock().expect("the ledger").requests += 1;
        let (status, text) = match request.timeout(REQUEST_TIMEOUT).send().await {
            Ok(response) => {
                let status = response.status();
                (status, response.text().await.unwrap_or_default())
            }
            Err(e) => {
                self.violation(format!("{operation}: no answer: {e}"));
                return Answer::Broken;
            }
        };
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let enveloped = if cam {
            body["opstatus"].is_number() && body["httpStatusCode"] == json!(status.as_u16())
        } else {
            body["STATUS"].is_string() && body["MESSAGE"].is_string()
        };
        let succeeded = if cam {
            body["opstatus"] == json!(0)
        } else {
            body["STATUS"] != "FAILED"
        };
        match (status.as_u16(), enveloped, succeeded) {
            (200, true, true) => Answer::Success(body),
            (500..=599, true, false) => {
                let mut ledger = self.ledger.lock().expect("the ledger");
                ledger
                    .clean_failures
                    .push((operation.to_owned(), status.as_u16()));
                Answer::Failed
            }
            _ => {
                self.violation(format!("{operation}: {status} {text}"));
                Answer::Broken
            }
        }
    }

    fn violation(&self, what: String) {
        self.ledger
            .lock()
            .expect("the ledger")
            .violations
            .push(what);
    }

    /// Sends what `request` builds until it succeeds, at most [`ATTEMPTS`]
    /// times while it fails cleanly.
    async fn retried(
        &self,
        operation: &str,
        cam: bool,
        request: impl Fn() -> RequestBuilder,
    ) -> Option<Value> {
        for attempt in 1..=ATTEMPTS {
            match self.send(operation, cam, request()).await {
                Answer::Success(body) => return Some(body),
                Answer::Broken => return None,
                Answer::Failed => tokio::time::sleep(BACKOFF * attempt).await,
            }
        }
        None
    }

    /// Runs CAM journeys against `base` until stopped.
    pub async fn cam_client(self, base: String) {
        while !self.stopping() {
            let journey = self.journey(&base).await;
            self.ledger
                .lock()
                .expect("the ledger")
                .journeys
                .push(journey);
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
        let Some(created) = self.retried("createProspectProfile", true, create).await else {
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
        let Some(_) = self.retried("createPreRequirements", true, pre).await else {
            return journey;
        };
        let proof = format!("ProofOfIncomeEmployed_{party}_{app}");
        journey.proof = Some(proof.clone());
        let upload = json!({"UserActionIdentifier": proof, "Response": [{"fileName": "proof.pdf",
            "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1, "fileContents": b64(&pdf_bytes())}]});
        // Not idempotent: a retry after a lost answer may attach a second copy.
        let send_upload = || cam.request("UserAction/uploadDocument").json(&upload);
        let Some(uploaded) = self.retried("uploadDocument", true, send_upload).await else {
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
            .retried("updateUserAction", true, submit)
            .await
            .is_some();
        journey
    }

    /// Adds batches of new customers to `case` at `base` until stopped.
    pub async fn ecm_client(self, base: String, case: String) {
        let http = reqwest::Client::new();
        let bearer = token("analyst-faults", &["case:write"]);
        let mut batch_no = 0;
        while !self.stopping() {
            batch_no += 1;
            let ids: Vec<String> = (0..BATCH)
                .map(|i| format!("{case}-{batch_no}-{i}"))
                .collect();
            // With details, so a customer half-added shows in the database.
            let customers: Vec<Value> = ids
                .iter()
                .map(|id| {
                    let mut customer = super::hostile::ecm_customer(id);
                    customer["genericInformation"] = json!({"batch": batch_no});
                    customer
                })
                .collect();
            let body = json!([{"caseId": case, "customers": customers}]);
            self.ledger
                .lock()
                .expect("the ledger")
                .sent_customers
                .extend(ids.iter().cloned());
            let mut retry = false;
            for attempt in 1..=ATTEMPTS {
                let request = http
                    .post(format!(
                        "{base}/rest-api/ECMService/CaseManagementService/addCustomer"
                    ))
                    .bearer_auth(&bearer)
                    .json(&body);
                match self.send("addCustomer", false, request).await {
                    Answer::Success(answer) => {
                        self.settle(&case, &answer, retry);
                        break;
                    }
                    Answer::Broken => break,
                    Answer::Failed => {
                        retry = true;
                        tokio::time::sleep(BACKOFF * attempt).await;
                    }
                }
            }
        }
    }

    /// Records the customers an `addCustomer` answer added. On a retry,
    /// "already exists" means the lost earlier attempt added it.
    fn settle(&self, case: &str, answer: &Value, retry: bool) {
        let mut ledger = self.ledger.lock().expect("the ledger");
        for item in answer["RESULTARRAY"].as_array().into_iter().flatten() {
            for customer in item["customers"].as_array().into_iter().flatten() {
                let id = customer["customerId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let added = customer["STATUS"] == "SUCCESS"
                    || (retry && customer["MESSAGE"] == "Customer already exists.");
                if added {
                    ledger.customers.push((case.to_owned(), id));
                } else {
                    ledger
                        .violations
                        .push(format!("addCustomer: {id} refused: {customer}"));
                }
            }
        }
    }
}
