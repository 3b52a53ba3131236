//! Serving one or many services in one process, on one port.

use crate::auth::{InternalCredential, TokenKeys};
use crate::config::{local_secret_file, ConfigError, Secret, ServerConfig};
use crate::db::Database;
use crate::error::ProblemError;
use crate::health::{self, ReadinessChecks};
use crate::keyring::Keyring;
use crate::limit::RateLimiter;
use crate::{metrics, observe, openapi};
use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use utoipa::openapi::OpenApi;

/// What every service in the process shares.
#[derive(Clone)]
pub struct Context {
    /// The chassis configuration.
    pub config: ServerConfig,
    /// The credential internal APIs require and internal calls present.
    pub credential: InternalCredential,
    /// The key and issuer of end-user tokens; each public API verifies them
    /// with its own audience (`tokens.verifier(policy)`).
    pub tokens: TokenKeys,
    /// Encrypts and decrypts data at rest.
    pub keyring: Keyring,
    /// This process's own base URL: where peers are reached when they run in
    /// the same process.
    pub self_url: String,
    /// Whether every service runs in this process (so local defaults, like a
    /// generated credential kept in `DATA_DIR`, can serve them all).
    pub standalone: bool,
}

impl Context {
    /// Builds the shared context for a server listening on `port`.
    ///
    /// With `standalone` (every service in this process) an unset
    /// `INTERNAL_CREDENTIAL` is generated once and kept in
    /// `DATA_DIR/internal-credential`, so local runs need no set-up; services
    /// in separate processes must share a configured one.
    pub fn new(config: ServerConfig, port: u16, standalone: bool) -> Result<Self, ConfigError> {
        let secret = match (&config.internal_credential, standalone) {
            (Some(secret), _) => secret.clone(),
            (None, true) => local_credential(&config)?,
            (None, false) => {
                return Err(ConfigError::invalid(
                    "INTERNAL_CREDENTIAL",
                    "is required when services run in separate processes",
                ))
            }
        };
        let tokens = TokenKeys::from_config(&config, standalone)?;
        let keyring = Keyring::from_config(&config, standalone)?;
        Ok(Self {
            keyring,
            self_url: format!("http://127.0.0.1:{port}"),
            credential: InternalCredential::new(secret),
            tokens,
            config,
            standalone,
        })
    }
}

/// The name of the file that keeps a standalone run's internal credential.
pub const CREDENTIAL_FILE: &str = "internal-credential";

/// Reads the standalone credential from the data directory, creating it
/// (readable by the owner only) on first use.
fn local_credential(config: &ServerConfig) -> Result<Secret, ConfigError> {
    local_secret_file(
        config,
        "INTERNAL_CREDENTIAL",
        CREDENTIAL_FILE,
        str::to_owned,
    )
    .map(|text| Secret::new(text.trim()))
}

/// The scope of an internal API at `path`, with what every internal API
/// needs, outermost first: the rate limit, then the internal credential, so
/// that a request without the credential is refused (401) before routing
/// (404, 405) or reading a body tells it which paths exist.
pub fn internal_scope(
    path: &str,
) -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<
            actix_web::body::EitherBody<actix_web::body::EitherBody<actix_web::body::BoxBody>>,
        >,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::scope(path)
        .wrap(from_fn(crate::auth::require_internal_credential))
        .wrap(from_fn(crate::limit::rate_limit_internal))
}

/// Registers a service's routes on the app.
type Routes = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Stops a service's background work (its outbox dispatcher), once the
/// server has stopped taking requests.
type Stop = Arc<dyn Fn() -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

/// One service, ready to be served: its routes, its API document (none
/// for the console, which serves HTML and no JSON API) and its database.
#[derive(Clone)]
pub struct Service {
    name: &'static str,
    openapi: Option<OpenApi>,
    database: Database,
    routes: Routes,
    stops: Vec<Stop>,
}

impl Service {
    /// A service named `name` whose `routes` register its scope.
    pub fn new(
        name: &'static str,
        openapi: OpenApi,
        database: Database,
        routes: impl Fn(&mut web::ServiceConfig) + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            openapi: Some(openapi),
            database,
            routes: Arc::new(routes),
            stops: Vec::new(),
        }
    }

    /// A service named `name` with no API document (the console: HTML
    /// pages, no JSON API), so that the Swagger UI does not list it.
    pub fn without_api(
        name: &'static str,
        database: Database,
        routes: impl Fn(&mut web::ServiceConfig) + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            openapi: None,
            database,
            routes: Arc::new(routes),
            stops: Vec::new(),
        }
    }

    /// Adds what stops the service's background work: the server awaits
    /// it after its last request is answered, so that the work ends with
    /// the server (and a restarted server in the same process does not run
    /// it twice).
    pub fn on_stop<F>(mut self, stop: impl Fn() -> F + Send + Sync + 'static) -> Self
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.stops.push(Arc::new(move || Box::pin(stop())));
        self
    }

    /// The service's name (`party`, `document`, ...).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The service's OpenAPI document, if it has an API.
    pub fn openapi(&self) -> Option<&OpenApi> {
        self.openapi.as_ref()
    }
}

/// A server started in the background.
pub struct RunningServer {
    /// The port it listens on.
    pub port: u16,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops it; a graceful stop first lets requests in flight finish.
    pub async fn stop(self, graceful: bool) {
        self.handle.stop(graceful).await;
        let _ = self.task.await;
    }

    /// A handle to stop it from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Waits until it stops (on SIGINT or SIGTERM, after draining).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Serves `services` on `listener` with the chassis routes, and returns at
/// once; the server runs on the current Tokio runtime.
pub fn start(
    ctx: &Context,
    services: Vec<Service>,
    listener: TcpListener,
) -> std::io::Result<RunningServer> {
    let port = listener.local_addr()?.port();
    let credential = web::Data::new(ctx.credential.clone());
    let readiness = web::Data::new(ReadinessChecks(
        services
            .iter()
            .map(|s| (s.name, s.database.clone()))
            .collect(),
    ));
    let docs: Vec<(&'static str, OpenApi)> = services
        .iter()
        .filter_map(|s| Some((s.name, s.openapi.clone()?)))
        .collect();
    let routes: Vec<Routes> = services.iter().map(|s| s.routes.clone()).collect();
    let stops: Vec<Stop> = services.iter().flat_map(|s| s.stops.clone()).collect();
    // The embedded databases' upkeep: statistics and checkpoints.
    let upkeep: Vec<_> = services
        .iter()
        .flat_map(|s| {
            [
                s.database.keep_statistics(),
                s.database.keep_checkpointing(),
            ]
        })
        .flatten()
        .collect();
    let limiter = RateLimiter::from_config(&ctx.config).map(web::Data::from);
    let body_timeout = std::time::Duration::from_secs(ctx.config.request_body_timeout_secs);
    metrics::handle();
    // With a port of its own, /metrics is served there and not here.
    let metrics_server = match ctx.config.metrics_port {
        Some(metrics_port) => Some(serve_metrics_alone(
            &ctx.config.host,
            metrics_port,
            ctx.config.shutdown_timeout_secs,
        )?),
        None => None,
    };
    let metrics_here = metrics_server.is_none();
    let api_docs = ctx.config.api_docs;

    let mut server = HttpServer::new(move || {
        let mut app = App::new()
            .app_data(credential.clone())
            .app_data(readiness.clone())
            .service(web::resource("/health/live").route(web::get().to(health::live)))
            .service(web::resource("/health/ready").route(web::get().to(health::ready)));
        if metrics_here {
            // Only for the credential's holders, as the internal APIs are
            // (the counts say which operations and peers are busy), but
            // outside their rate limit: a scrape, like a probe, is never
            // refused for the peers' traffic.
            app = app.service(
                web::scope("/metrics")
                    .wrap(from_fn(crate::auth::require_internal_credential))
                    .route("", web::get().to(metrics::render)),
            );
        }
        if api_docs {
            app = app
                .service(web::redirect("/docs", "/docs/"))
                .service(openapi::swagger_ui(&docs));
        }
        if let Some(limiter) = &limiter {
            app = app.app_data(limiter.clone());
        }
        for register in &routes {
            app = app.configure(|cfg| register(cfg));
        }
        app.default_service(web::to(no_route))
            .wrap(from_fn(move |req, next| {
                crate::body::deadline(req, next, body_timeout)
            }))
            .wrap(from_fn(observe::observe))
    })
    .listen(listener)?
    .shutdown_timeout(ctx.config.shutdown_timeout_secs);
    if let Some(workers) = ctx.config.workers {
        server = server.workers(workers);
    }
    let server = server.disable_signals().run();
    let handle = server.handle();
    stop_on_signals(handle.clone())?;
    let task = tokio::spawn(async move {
        let served = server.await;
        for stop in &stops {
            stop().await;
        }
        for task in upkeep {
            task.abort();
        }
        // The metrics server lives as long as the services do.
        if let Some(metrics_server) = metrics_server {
            metrics_server.stop(true).await;
        }
        served
    });
    Ok(RunningServer { port, handle, task })
}

/// Serves `/metrics` alone, without a credential, on `host:port`
/// (`METRICS_PORT`), for a scraper that cannot send one: the port is meant
/// to be reachable by the scraper only. Anything else there is a 404. It
/// runs on the current Tokio runtime until stopped through the handle.
fn serve_metrics_alone(
    host: &str,
    port: u16,
    shutdown_timeout_secs: u64,
) -> std::io::Result<ServerHandle> {
    let listener = std::net::TcpListener::bind((host, port)).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot listen on {host}:{port} (METRICS_PORT): {e}"),
        )
    })?;
    let server = HttpServer::new(|| {
        App::new()
            .service(web::resource("/metrics").route(web::get().to(metrics::render)))
            .default_service(web::to(no_route))
    })
    .workers(1)
    .listen(listener)?
    .shutdown_timeout(shutdown_timeout_secs)
    .disable_signals()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok(handle)
}

/// Stops the server on SIGTERM or SIGINT, draining requests in flight.
///
/// Why not actix's own handling: it installs its handlers only once the
/// spawned server task first runs, so a SIGTERM that came as soon as the
/// server said it listens found the default action and ended the process
/// at once (exit 143), dropping requests in flight. These are installed
/// before `start` returns.
fn stop_on_signals(handle: ServerHandle) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM: stopping"),
            _ = interrupt.recv() => tracing::info!("SIGINT: stopping"),
        }
        handle.stop(true).await;
    });
    Ok(())
}

/// Any path no service serves.
async fn no_route() -> Result<actix_web::HttpResponse, ProblemError> {
    Err(ProblemError::NotFound("route"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

    fn config(data_dir: &Path, pairs: &[(&str, &str)]) -> ServerConfig {
        let mut vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert("DATA_DIR".into(), data_dir.display().to_string());
        ServerConfig::load(Some(&vars)).expect("config")
    }

    #[test]
    fn a_standalone_credential_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Context::new(config(dir.path(), &[]), 1, true).expect("context");
        let again = Context::new(config(dir.path(), &[]), 1, true).expect("context");
        assert_eq!(first.credential.secret(), again.credential.secret());
        assert!(first.credential.secret().expose().len() >= crate::config::MIN_CREDENTIAL_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(CREDENTIAL_FILE))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_standalone_run_others_can_reach_generates_no_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secret = "s".repeat(32);
        let keys = format!("k1:{}", "ab".repeat(32));
        let index = "cd".repeat(32);
        let all = [
            ("HOST", "0.0.0.0"),
            ("INTERNAL_CREDENTIAL", secret.as_str()),
            ("ENCRYPTION_KEYS", keys.as_str()),
            ("BLIND_INDEX_KEY", index.as_str()),
        ];
        // Each secret left out is named, in the order they are needed.
        for missing in 1..all.len() {
            let fewer: Vec<_> = all[..missing].to_vec();
            let err = Context::new(config(dir.path(), &fewer), 1, true)
                .err()
                .expect("refused");
            assert_eq!(
                err.to_string(),
                format!(
                    "configuration: {} is required when HOST (0.0.0.0) is not a loopback \
                     address: secrets are generated only for a server no one else can reach",
                    all[missing].0
                )
            );
        }
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
        Context::new(config(dir.path(), &all), 1, true).expect("configured");
        // Secrets kept from a local run are read wherever it listens.
        Context::new(config(dir.path(), &[]), 1, true).expect("a local run");
        Context::new(config(dir.path(), &[("HOST", "0.0.0.0")]), 1, true).expect("kept secrets");
    }

    #[test]
    fn separate_processes_need_a_configured_credential() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Context::new(config(dir.path(), &[]), 1, false)
            .err()
            .expect("refused");
        assert_eq!(
            err.to_string(),
            "configuration: INTERNAL_CREDENTIAL is required when services run in separate processes"
        );
        let secret = "s".repeat(32);
        let keys = format!("k1:{}", "ab".repeat(32));
        let index = "cd".repeat(32);
        let vars = vec![
            ("INTERNAL_CREDENTIAL", secret.as_str()),
            ("ENCRYPTION_KEYS", keys.as_str()),
            ("BLIND_INDEX_KEY", index.as_str()),
        ];
        let ctx = Context::new(config(dir.path(), &vars), 1, false).expect("context");
        assert_eq!(ctx.credential.secret().expose(), secret);
        assert_eq!(ctx.keyring.active_key_id(), "k1");
        // Each key is required on its own, by name.
        for missing in ["ENCRYPTION_KEYS", "BLIND_INDEX_KEY"] {
            let fewer: Vec<_> = vars
                .iter()
                .copied()
                .filter(|(n, _)| *n != missing)
                .collect();
            let err = Context::new(config(dir.path(), &fewer), 1, false)
                .err()
                .expect("refused");
            assert_eq!(
                err.to_string(),
                format!(
                    "configuration: {missing} is required when services run in separate processes"
                )
            );
        }
        assert!(!dir.path().join(crate::keyring::KEYS_FILE).exists());
    }
}
