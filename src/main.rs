//! `onboarding`: runs the onboarding services, all in one process or one per
//! process. See `onboarding --help`.

use clap::{Parser, Subcommand};
use service_kit::{telemetry, ServerConfig};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: request handling allocates many small, short-lived objects,
/// which glibc's allocator serves markedly slower (measured with
/// `bench/user_action_load.py`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "onboarding",
    version,
    about = "Digital customer onboarding and KYC case management"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the named services (all when none is named) on one port.
    Serve {
        /// Services to run: party, document, user-action, case, console (all when none is named).
        services: Vec<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        /// Services to migrate (all when none is named).
        services: Vec<String>,
    },
    /// Seal everything kept sealed again under the first of ENCRYPTION_KEYS
    /// (after adding a key in front), then exit; old keys can then be dropped.
    Rekey {
        /// Services to rekey (all when none is named).
        services: Vec<String>,
    },
    /// Load the bank's business records (accounts, external entities,
    /// transactions) into case-service from a JSON Lines file, one
    /// `{"kind": "account", "record": {...}}` a line. Every line is checked
    /// first: nothing is loaded when any is refused. Loading again is safe.
    Import {
        /// The JSON Lines file.
        file: PathBuf,
    },
    /// Erase an applicant's personal data from every service and the
    /// object store, keeping the application and case skeletons and their
    /// audit trails with a tombstone (`[erased]`) in place of each personal
    /// value. Safe to run again: a run cut short is finished, a finished
    /// one reports nothing left.
    Erase {
        /// The application to erase, with every applicant of it.
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "party",
            required_unless_present = "party"
        )]
        application: Option<String>,
        /// A party: the application it is an applicant of, whole; a party in
        /// no application is erased from party-service and its cases.
        #[arg(long, value_name = "ID")]
        party: Option<String>,
    },
    /// Write the OpenAPI documents.
    Openapi {
        /// Where to write them.
        #[arg(long, default_value = "proto-docs")]
        out: PathBuf,
        /// Only check that the documents there are up to date.
        #[arg(long)]
        check: bool,
    },
    /// Ask the server this machine runs on `PORT` whether it is ready: exit 0
    /// if it answers 2xx within 3 s, 1 otherwise. The container image's
    /// health check, which has no shell or curl.
    Health {
        /// The probe: `ready` (every service's database answers) or `live`.
        #[arg(long, value_parser = ["ready", "live"], default_value = "ready")]
        probe: String,
    },
    /// Fill the standalone run on `PORT` of this machine (same DATA_DIR)
    /// with five applications at different stages, and their cases,
    /// through the public APIs: started, under review, a document sent
    /// back, approved and rejected. Running it again adds five more.
    Demo,
    /// Mint a development end-user token for one public API (needs
    /// DEV_MODE=true and JWT_HS256_SECRET).
    Token {
        /// The API the token is for, by its service: user-action (CAM) or
        /// case (ECM). A token opens no other.
        #[arg(long = "for", value_name = "SERVICE")]
        service: String,
        /// The subject (`sub`): the end user or operator.
        #[arg(long)]
        subject: String,
        /// A role to grant; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Lifetime in seconds; the longest the API accepts when not given.
        #[arg(long)]
        ttl: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve {
        services: Vec::new(),
    })) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    if let Command::Openapi { out, check } = &command {
        return onboarding::write_openapi(out, *check);
    }
    // Everything a run creates from here on (databases with their -wal and
    // -shm, documents, generated secrets, their directories) is the
    // owner's alone, including what libraries create with their own modes.
    // Not for `openapi` above: the documents it writes are for everyone.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let config = ServerConfig::load(None)?;
    telemetry::init(config.log_format);
    match command {
        Command::Serve { services } => {
            let names = onboarding::select(&services)?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(onboarding::serve(config, &names))
        }
        Command::Migrate { services } => {
            onboarding::migrate(&config, &onboarding::select(&services)?)
        }
        Command::Rekey { services } => onboarding::rekey(config, &onboarding::select(&services)?),
        Command::Import { file } => onboarding::import(config, &file),
        Command::Erase { application, party } => {
            let target = match (application, party) {
                (Some(id), _) => onboarding::EraseTarget::Application(id),
                (None, Some(id)) => onboarding::EraseTarget::Party(id),
                (None, None) => unreachable!("clap requires one"),
            };
            println!("{}", onboarding::erase(config, &target)?);
            Ok(())
        }
        Command::Health { probe } => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(onboarding::health(&config, &probe)),
        Command::Demo => {
            let made = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(onboarding::demo(&config))?;
            println!("{made}");
            Ok(())
        }
        Command::Token {
            service,
            subject,
            roles,
            ttl,
        } => {
            println!(
                "{}",
                onboarding::token(&config, None, &service, &subject, &roles, ttl)?
            );
            Ok(())
        }
        Command::Openapi { .. } => unreachable!("handled above"),
    }
}
