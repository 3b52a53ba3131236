//! The `onboarding` binary's library: which services exist, and the
//! commands that serve, migrate and document them.
//!
//! `main.rs` only parses the command line; everything here is callable from
//! tests.

mod demo;

pub use demo::demo;

use service_kit::db::OwnDatabase;
use service_kit::server::{self, Context};
use service_kit::{ServerConfig, Service};
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;

/// What the binary needs of a service crate.
struct Entry {
    name: &'static str,
    build: fn(&Context, Option<&Vars>) -> anyhow::Result<Service>,
    database: &'static OwnDatabase,
    /// The service's OpenAPI document; `None` for the console, which has
    /// no JSON API.
    openapi: Option<fn() -> utoipa::openapi::OpenApi>,
    /// Seals again what the service keeps sealed; `None` when it keeps
    /// nothing sealed.
    rekey: Option<Rekey>,
    /// What the service's public API asks of end-user tokens; `None` for an
    /// internal API, which takes no end-user token.
    tokens: Option<Tokens>,
}

/// Seals again what a service keeps sealed; how many values it rewrote.
type Rekey = fn(&Context, Option<&Vars>) -> anyhow::Result<usize>;

/// What a public API asks of end-user tokens, as configured.
type Tokens = fn(Option<&Vars>) -> Result<service_kit::auth::TokenPolicy, service_kit::ConfigError>;

/// Configuration variables, when not read from the environment.
pub type Vars = HashMap<String, String>;

/// Every service, in start order. Adding a service is adding a line.
const REGISTRY: &[Entry] = &[
    Entry {
        name: party::NAME,
        build: party::service,
        database: &party::config::DATABASE,
        openapi: Some(party::openapi),
        rekey: Some(party::rekey),
        tokens: None,
    },
    Entry {
        name: document::NAME,
        build: document::service,
        database: &document::config::DATABASE,
        openapi: Some(document::openapi),
        rekey: Some(document::rekey),
        tokens: None,
    },
    Entry {
        name: user_action::NAME,
        build: user_action::service,
        database: &user_action::config::DATABASE,
        openapi: Some(user_action::openapi),
        rekey: Some(user_action::rekey),
        tokens: Some(user_action::token_policy),
    },
    Entry {
        name: case::NAME,
        build: case::service,
        database: &case::config::DATABASE,
        openapi: Some(case::openapi),
        rekey: Some(case::rekey),
        tokens: Some(case::token_policy),
    },
    Entry {
        name: console::NAME,
        build: console::service,
        database: &console::config::DATABASE,
        openapi: None,
        rekey: None,
        tokens: None,
    },
];

/// The names of every service, in start order.
pub fn service_names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}

fn entry(name: &str) -> anyhow::Result<&'static Entry> {
    REGISTRY.iter().find(|e| e.name == name).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown service {name}; the services are: {}",
            service_names().join(", ")
        )
    })
}

/// Checks service names given on the command line; none means all.
pub fn select(names: &[String]) -> anyhow::Result<Vec<&'static str>> {
    if names.is_empty() {
        return Ok(service_names());
    }
    names
        .iter()
        .map(|name| entry(name).map(|e| e.name))
        .collect()
}

/// Builds every named service, in start order.
pub fn build_all(
    names: &[&str],
    ctx: &Context,
    vars: Option<&Vars>,
) -> anyhow::Result<Vec<Service>> {
    names
        .iter()
        .map(|name| (entry(name)?.build)(ctx, vars))
        .collect()
}

/// `onboarding serve [SERVICE...]`: serves the services until SIGINT or
/// SIGTERM, then drains requests in flight.
pub async fn serve(config: ServerConfig, names: &[&str]) -> anyhow::Result<()> {
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let port = listener.local_addr()?.port();
    let standalone = names.len() == REGISTRY.len();
    let ctx = Context::new(config, port, standalone)?;
    let services = build_all(names, &ctx, None)?;
    let running = server::start(&ctx, services, listener)?;
    let base = format!("http://{}:{port}", ctx.config.host);
    tracing::info!(services = names.join(","), %base, "serving");
    let first = first_request(&ctx, &base, port)?;
    let console = names.contains(&console::NAME);
    println!("{}", banner(&base, ctx.config.api_docs, console, &first));
    running.wait().await?;
    tracing::info!("stopped");
    Ok(())
}

/// What `serve` prints: where it listens, the console's URL when it serves
/// the console (the first thing a newcomer opens), and a first request to
/// try.
fn banner(base: &str, api_docs: bool, console: bool, first_request: &str) -> String {
    let docs = if api_docs {
        format!("API docs: {base}/docs/    ")
    } else {
        String::new()
    };
    let console = if console {
        format!("Console: {base}{}/\n", console::BASE)
    } else {
        String::new()
    };
    format!(
        "Onboarding is listening on {base}\n\
         {console}{docs}Readiness: {base}/health/ready\n\
         {first_request}"
    )
}

/// The banner's request to try, which works when pasted into a shell on
/// this machine.
///
/// A standalone run that generated the CAM app's credentials and the
/// development token secret offers what a bank's app would send first, a
/// prospect's profile through the public API: its headers are the
/// generated credentials file and a token `onboarding token` mints from
/// the generated secret; before it, the `onboarding demo` command that
/// fills this run. Any other run offers an internal party create, with
/// the internal credential (its generated file's, or the variable).
fn first_request(ctx: &Context, base: &str, port: u16) -> anyhow::Result<String> {
    let data_dir = std::path::absolute(&ctx.config.data_dir)?;
    let quoted = |path: &Path| -> anyhow::Result<String> {
        Ok(shlex::try_quote(&path.display().to_string())?.into_owned())
    };
    let apps = user_action::generated_app_credentials(ctx, None)?;
    if let (Some(apps), true) = (apps, ctx.tokens.generated()) {
        let apps = quoted(&std::path::absolute(apps)?)?;
        let token = format!(
            "DATA_DIR={} {} token --for {} --subject prospect-1",
            quoted(&data_dir)?,
            quoted(&std::env::current_exe()?)?,
            user_action::NAME,
        );
        let demo = format!(
            "PORT={port} DATA_DIR={} {} demo",
            quoted(&data_dir)?,
            quoted(&std::env::current_exe()?)?,
        );
        return Ok(format!(
            "Fill it with five example applications and their cases:\n  {demo}\n\
             Try the public API, as the bank's onboarding app:\n  \
             curl -s -X POST {base}/services/data/v1/CustomerActionsManagement/operations/PersonalInfo/createProspectProfile \\\n    \
             -H @{apps} -H \"X-Kony-Authorization: $({token})\" \\\n    \
             -H 'Content-Type: application/json' \\\n    \
             -d '{{\"FirstName\":\"Virat\",\"LastName\":\"Kohli\",\"DateOfBirth\":\"1985-10-10\",\"Email\":\"kanand@temenos.com\",\"MobileCountryCode\":\"+91\",\"MobileNumber\":\"9994305648\",\"ApplicantType\":\"Applicant\",\"ConsentIdentifier\":\"Create_PersonalInfo_Consent\",\"AcceptanceStatus\":\"Yes\"}}'"
        ));
    }
    let credential = if ctx.config.internal_credential.is_none() {
        format!(
            "$(cat {})",
            quoted(&data_dir.join(server::CREDENTIAL_FILE))?
        )
    } else {
        "$INTERNAL_CREDENTIAL".to_owned()
    };
    Ok(format!(
        "Try:\n  curl -s -X POST {base}/party/v1/parties \\\n    \
         -H \"X-Service-Credential: {credential}\" -H 'Content-Type: application/json' \\\n    \
         -d '{{\"kind\":\"person\",\"firstName\":\"Virat\",\"lastName\":\"Kohli\",\"dateOfBirth\":\"1985-10-10\"}}'"
    ))
}

/// `onboarding token --for SERVICE`: a development token for the public
/// API of `service`, with its audience as `vars` (the environment when
/// `None`) configure it, living `ttl` seconds (the API's longest accepted
/// lifetime when `None`).
pub fn token(
    config: &ServerConfig,
    vars: Option<&Vars>,
    service: &str,
    subject: &str,
    roles: &[String],
    ttl: Option<i64>,
) -> anyhow::Result<String> {
    let Some(policy) = entry(service)?.tokens else {
        let public: Vec<&str> = REGISTRY
            .iter()
            .filter(|e| e.tokens.is_some())
            .map(|e| e.name)
            .collect();
        anyhow::bail!(
            "{service} takes no end-user tokens; tokens are for: {}",
            public.join(", ")
        );
    };
    let policy = policy(vars)?;
    let longest = policy.max_lifetime_secs as i64;
    let ttl = ttl.unwrap_or(longest);
    // A token the API would refuse is no use to anyone.
    anyhow::ensure!(
        ttl <= longest,
        "--ttl {ttl} is longer than {service} accepts ({longest} s)"
    );
    Ok(service_kit::auth::mint_dev_token(
        config,
        &policy.audience,
        subject,
        roles,
        ttl,
    )?)
}

/// `onboarding health`: asks the server listening on `PORT` of this machine
/// for `/health/<probe>`; an error unless it answers 2xx within 3 s. A
/// server listening on every interface is asked on the loopback address.
pub async fn health(config: &ServerConfig, probe: &str) -> anyhow::Result<()> {
    let url = format!("{}/health/{probe}", local_base(config));
    let answer = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()?
        .get(&url)
        .send()
        .await?;
    anyhow::ensure!(
        answer.status().is_success(),
        "{url} answered {}",
        answer.status()
    );
    Ok(())
}

/// The base URL of the server this machine runs on `PORT`: a server
/// listening on every interface is asked on the loopback address.
fn local_base(config: &ServerConfig) -> String {
    let host = match config.host.as_str() {
        "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
        host => host,
    };
    format!("http://{host}:{}", config.port)
}

/// `onboarding migrate [SERVICE...]`: applies pending migrations and exits.
pub fn migrate(config: &ServerConfig, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        entry(name)?.database.open(config, None)?;
        tracing::info!(service = name, "migrated");
    }
    Ok(())
}

/// `onboarding rekey [SERVICE...]`: seals again, under the first key of
/// `ENCRYPTION_KEYS`, everything the services keep sealed under another key
/// (and anything written before sealing), and recomputes blind indexes.
/// Afterwards the old keys can be dropped. Never generates keys: in a
/// standalone data directory it uses the ones kept there.
pub fn rekey(config: ServerConfig, names: &[&str]) -> anyhow::Result<()> {
    use service_kit::keyring::{BLIND_INDEX_FILE, KEYS_FILE};
    for (configured, variable, file) in [
        (
            config.encryption_keys.is_some(),
            "ENCRYPTION_KEYS",
            KEYS_FILE,
        ),
        (
            config.blind_index_key.is_some(),
            "BLIND_INDEX_KEY",
            BLIND_INDEX_FILE,
        ),
    ] {
        if !configured && !config.data_dir.join(file).exists() {
            anyhow::bail!("configuration: {variable} is required: rekey never generates keys");
        }
    }
    let ctx = Context::new(config, 0, true)?;
    for name in names {
        if let Some(rekey) = entry(name)?.rekey {
            let rewritten = rekey(&ctx, None)?;
            tracing::info!(service = name, rewritten, "rekeyed");
            println!(
                "{name}: {rewritten} rewritten under key {}",
                ctx.keyring.active_key_id()
            );
        }
    }
    Ok(())
}

/// `onboarding import FILE`: loads the bank's business records (accounts,
/// external entities, transactions) from a JSON Lines file into
/// case-service's database, as the internal bulk API does. Sealed with the
/// same keys the server uses (in a standalone data directory, the ones kept
/// there, made on first use).
pub fn import(config: ServerConfig, file: &Path) -> anyhow::Result<()> {
    let ctx = Context::new(config, 0, true)?;
    let loaded = case::import(&ctx, None, file)?;
    tracing::info!(loaded, "business records imported");
    println!("{loaded} business records loaded from {}", file.display());
    Ok(())
}

/// The actor `onboarding erase` records in the audit trails.
pub const OPERATOR: &str = "operator";

/// What `onboarding erase` is asked to erase.
#[derive(Debug, Clone)]
pub enum EraseTarget {
    /// `--application ID`: the application and every applicant of it.
    Application(String),
    /// `--party ID`: the application the party is an applicant of, whole;
    /// or, for a party in no application, the party and its case
    /// customers.
    Party(String),
}

/// `onboarding erase`: removes an applicant's personal data from every
/// service and the object store, reaching each service's database (and the
/// object store) directly, as `rekey` and `import` do. Documents go first,
/// then parties, then case customers and the application's values on its
/// case, and user-action's tombstones and
/// audit event last, in one transaction: every step is idempotent and the
/// application's skeleton keeps every id the steps need, so a run cut
/// short is finished by running it again. Returns the summary it prints.
pub fn erase(config: ServerConfig, target: &EraseTarget) -> anyhow::Result<String> {
    let ctx = Context::new(config, 0, true)?;
    let (flag, id) = match target {
        EraseTarget::Application(id) => ("--application", id),
        EraseTarget::Party(id) => ("--party", id),
    };
    let planned = user_action::erasure_plan(
        &ctx,
        None,
        match target {
            EraseTarget::Application(id) => user_action::Target::Application(id),
            EraseTarget::Party(id) => user_action::Target::Party(id),
        },
    )?;
    let Some(plan) = planned else {
        return erase_party_alone(&ctx, target, flag, id);
    };
    let documents = document::erase(&ctx, None, &plan.document_ids)?;
    let parties = party::erase(&ctx, None, &plan.party_ids)?;
    let cases = case::erase(&ctx, None, &plan.party_ids, OPERATOR)?;
    let on_case = case::erase_application(&ctx, None, &plan.application_id, OPERATOR)?;
    let mine = user_action::erase(&ctx, None, &plan, OPERATOR)?;
    let removed = documents
        + parties
        + cases.customers
        + cases.audit_values
        + cases.events
        + on_case.file_names
        + on_case.comments
        + on_case.requests
        + mine.applicants
        + mine.answers
        + mine.review_comments
        + mine.messages
        + mine.attachments
        + mine.idempotency_keys;
    // Ids and counts only: never a value that was erased.
    tracing::info!(
        application_id = %plan.application_id,
        parties = plan.party_ids.len(),
        removed,
        "application erased"
    );
    let outcome = if removed == 0 && plan.erased_before {
        format!(
            "application {}: nothing was left to erase",
            plan.application_id
        )
    } else {
        format!("application {} erased", plan.application_id)
    };
    Ok(format!(
        "user-action: {} applicants, {} answers, {} review comments, {} messages to the bank, \
         {} attachments, {} idempotency keys\n\
         document: {documents} documents\n\
         party: {parties} parties\n\
         case: {} case customers, {} audit values, {} events, {} evidence file names, \
         {} comments, {} messages to the bank\n\
         {outcome}",
        mine.applicants,
        mine.answers,
        mine.review_comments,
        mine.messages,
        mine.attachments,
        mine.idempotency_keys,
        cases.customers,
        cases.audit_values,
        cases.events,
        on_case.file_names,
        on_case.comments,
        on_case.requests,
    ))
}

/// `onboarding erase --party` of a party in no application: the party, and
/// the case customers it is. Refused when neither knows it.
fn erase_party_alone(
    ctx: &Context,
    target: &EraseTarget,
    flag: &str,
    id: &str,
) -> anyhow::Result<String> {
    let EraseTarget::Party(_) = target else {
        anyhow::bail!("{flag} {id}: no such application");
    };
    if let Err(why) = domain::PartyId::parse(id) {
        anyhow::bail!("{flag} {id}: {why}");
    }
    let known = party::exists(ctx, None, id)? || case::is_customer(ctx, None, id)?;
    if !known {
        anyhow::bail!("{flag} {id}: no such party in any application, case or party-service");
    }
    let ids = [id.to_owned()];
    let parties = party::erase(ctx, None, &ids)?;
    let cases = case::erase(ctx, None, &ids, OPERATOR)?;
    tracing::info!(party_id = %id, "party erased");
    let outcome = if parties + cases.customers + cases.audit_values + cases.events == 0 {
        format!("party {id}: nothing was left to erase")
    } else {
        format!("party {id} erased")
    };
    Ok(format!(
        "party: {parties} parties\ncase: {} case customers, {} audit values, {} events\n{outcome}",
        cases.customers, cases.audit_values, cases.events
    ))
}

/// Every service's OpenAPI document, pretty-printed, by file name.
pub fn openapi_documents() -> anyhow::Result<Vec<(String, String)>> {
    REGISTRY
        .iter()
        .filter_map(|e| Some((e.name, e.openapi?)))
        .map(|(name, openapi)| Ok((format!("{name}.json"), openapi().to_pretty_json()? + "\n")))
        .collect()
}

/// `onboarding openapi`: writes the documents into `dir`, or with `check`
/// fails if what is there differs from what the code generates.
pub fn write_openapi(dir: &Path, check: bool) -> anyhow::Result<()> {
    let mut stale = Vec::new();
    for (file, text) in openapi_documents()? {
        let path = dir.join(&file);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        } else {
            std::fs::create_dir_all(dir)?;
            std::fs::write(&path, text)?;
        }
    }
    if !stale.is_empty() {
        anyhow::bail!(
            "out of date (run `onboarding openapi`): {}",
            stale.join(", ")
        );
    }
    Ok(())
}
