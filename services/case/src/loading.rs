//! Loading the bank's business records (accounts, external entities,
//! transactions), from the bulk API's body or from a JSON Lines file
//! (`onboarding import`). Either way nothing is written when any entry is
//! refused, and a refusal names the entry and the field.

use crate::rows::records::BusinessRow;
use crate::store::records;
use crate::wire::records::{BusinessRecord, BusinessRecords, RawEntry};
use diesel::QueryResult;
use domain::FieldError;
use service_kit::db::{write_transaction, Backend};
use service_kit::{Database, DbConnection, InputError, Keyring};
use std::io::BufRead;
use std::sync::mpsc::{Receiver, SyncSender};

/// The most refusals one answer lists: enough to fix a file in a few
/// rounds, bounded so a file of garbage does not make a huge answer.
pub const MAX_REFUSALS: usize = 20;

/// How many records one transaction of an import writes: big enough that
/// the commit is a small part of the cost, small enough that a transaction
/// stays short.
pub const IMPORT_BATCH: usize = 5_000;

/// Reads an entry's record by its kind and checks the rules serde cannot;
/// a refusal names the field within the entry (`record.accountId`).
pub fn check(entry: &RawEntry) -> Result<BusinessRecord, FieldError> {
    let record = BusinessRecord::read(entry).map_err(|e| {
        let (field, message) = first_error(e);
        FieldError::new(format!("record.{field}"), message)
    })?;
    match record.violation() {
        Some((field, message)) => Err(FieldError::new(field, message)),
        None => Ok(record),
    }
}

/// The first field an input error names (`body` when it names none), and
/// what is wrong with it.
fn first_error(e: InputError) -> (String, String) {
    match e {
        InputError::Invalid(errors) => errors
            .into_iter()
            .next()
            .map_or(("body".to_owned(), "is invalid".to_owned()), |f| {
                (f.field, f.message)
            }),
        other => ("body".to_owned(), other.to_string()),
    }
}

/// Checks entries ([`check`]) and sorts them by kind, or names every one
/// refused (up to [`MAX_REFUSALS`]); `entry` names an entry by its index.
pub fn sort(
    entries: &[RawEntry],
    entry: impl Fn(usize) -> String,
) -> Result<BusinessRecords, Vec<FieldError>> {
    let mut sorted = BusinessRecords::default();
    let mut refusals = Vec::new();
    for (index, raw) in entries.iter().enumerate() {
        match check(raw) {
            Ok(record) => sorted.push(record),
            Err(refusal) if refusals.len() < MAX_REFUSALS => refusals.push(FieldError::new(
                format!("{}.{}", entry(index), refusal.field),
                refusal.message,
            )),
            Err(_) => {}
        }
    }
    if refusals.is_empty() {
        Ok(sorted)
    } else {
        Err(refusals)
    }
}

/// Why an import loaded nothing, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// Some lines are refused; nothing was loaded.
    #[error("nothing was loaded; {} refused:\n{}", refused_count(.0), list(.0))]
    Refused(Vec<FieldError>),
    /// A line checked in the first pass is refused in the second: the file
    /// changed meanwhile, and the lines before it may have been loaded.
    #[error("the file changed while it was loaded, and the lines before this one may have been loaded (loading the file again is safe):\n  {}: {}", .0.field, .0.message)]
    Changed(FieldError),
    /// The database failed after `loaded` records were committed; loading
    /// the file again is safe (records are replaced by kind and id).
    #[error("the database failed after {loaded} records were loaded (loading the file again is safe): {failure}")]
    Database {
        /// Records committed before the failure.
        loaded: usize,
        /// What failed.
        failure: anyhow::Error,
    },
}

fn refused_count(refusals: &[FieldError]) -> String {
    if refusals.len() >= MAX_REFUSALS {
        format!("the first {MAX_REFUSALS} lines")
    } else if refusals.len() == 1 {
        "1 line".to_owned()
    } else {
        format!("{} lines", refusals.len())
    }
}

fn list(refusals: &[FieldError]) -> String {
    refusals
        .iter()
        .map(|r| format!("  {}: {}", r.field, r.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads one line of a JSON Lines file (1-based `number`), naming the line
/// and the field at fault.
fn parse_line(number: usize, line: &str) -> Result<BusinessRecord, FieldError> {
    let at = |field: &str| {
        if field == "body" {
            format!("line {number}")
        } else {
            format!("line {number}: {field}")
        }
    };
    let entry = service_kit::body::parse_json::<RawEntry>(line.as_bytes()).map_err(|e| {
        let (field, message) = first_error(e);
        FieldError::new(at(&field), message)
    })?;
    check(&entry).map_err(|refusal| FieldError::new(at(&refusal.field), refusal.message))
}

/// Every line of `reader` that is not blank, with its 1-based number.
fn lines(reader: impl BufRead) -> impl Iterator<Item = std::io::Result<(usize, String)>> {
    reader
        .lines()
        .enumerate()
        .map(|(index, line)| line.map(|l| (index + 1, l)))
        .filter(|line| !matches!(line, Ok((_, l)) if l.trim().is_empty()))
}

/// How many lines the checking pass reads before its threads check them.
const CHECK_CHUNK: usize = 8_192;

/// The first pass: every line checked, a chunk at a time, each chunk split
/// among the machine's cores (checking is parsing, and nothing else runs
/// meanwhile). The first [`MAX_REFUSALS`] refusals, in line order.
fn check_all(
    lines: impl Iterator<Item = std::io::Result<(usize, String)>>,
) -> std::io::Result<Vec<FieldError>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut refusals = Vec::new();
    let mut chunk = Vec::with_capacity(CHECK_CHUNK);
    let mut lines = lines.peekable();
    while lines.peek().is_some() && refusals.len() < MAX_REFUSALS {
        chunk.clear();
        for line in lines.by_ref().take(CHECK_CHUNK) {
            chunk.push(line?);
        }
        let part = chunk.len().div_ceil(threads).max(1);
        let found: Vec<Vec<FieldError>> = std::thread::scope(|scope| {
            let checking: Vec<_> = chunk
                .chunks(part)
                .map(|lines| {
                    scope.spawn(move || {
                        lines
                            .iter()
                            .filter_map(|(number, text)| parse_line(*number, text).err())
                            .take(MAX_REFUSALS)
                            .collect()
                    })
                })
                .collect();
            checking
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p))
                })
                .collect()
        });
        refusals.extend(found.into_iter().flatten());
    }
    refusals.truncate(MAX_REFUSALS);
    Ok(refusals)
}

/// Imports a JSON Lines file of business records: all of them, or none
/// when any line is refused. Returns how many were loaded.
///
/// On PostgreSQL one pass reads, checks and loads every line in one
/// transaction, [`IMPORT_BATCH`] records a statement, and a refused line
/// rolls it back: other writers carry on meanwhile. On SQLite, where one
/// connection writes at a time, a transaction as long as the file would
/// hold the service's writes back for all of it; a first pass checks every
/// line, and a second loads them a batch a transaction.
pub fn import(
    db: &Database,
    keyring: &Keyring,
    open: impl Fn() -> std::io::Result<Box<dyn BufRead>>,
) -> Result<usize, ImportError> {
    let commit = match db.backend() {
        Backend::Postgres => Commit::AtTheEnd,
        Backend::Sqlite => {
            let refusals = check_all(lines(open()?))?;
            if !refusals.is_empty() {
                return Err(ImportError::Refused(refusals));
            }
            Commit::EachBatch
        }
    };
    load(db, keyring, lines(open()?), commit)
}

/// When an import's writes are committed.
#[derive(Clone, Copy)]
enum Commit {
    /// Once, after the last line (every line checked on the way).
    AtTheEnd,
    /// After each batch (every line checked before).
    EachBatch,
}

/// What the reading thread hands the writing one.
enum Load {
    /// A batch's rows, and how many records they hold.
    Rows(usize, Vec<BusinessRow>),
    /// Every line was read and none refused.
    End,
}

/// Reads, checks and seals `lines` on this thread while another writes the
/// batch before: the writer, which SQLite lets only one connection be,
/// does nothing else.
fn load(
    db: &Database,
    keyring: &Keyring,
    lines: impl Iterator<Item = std::io::Result<(usize, String)>>,
    commit: Commit,
) -> Result<usize, ImportError> {
    let (batches, written) = std::sync::mpsc::sync_channel::<Load>(2);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || write(db, written, commit));
        let read = read(lines, keyring, commit, batches);
        let loaded = writer.join().unwrap_or_else(|_| {
            Err(ImportError::Database {
                loaded: 0,
                failure: anyhow::anyhow!("the writing thread panicked"),
            })
        });
        read.and(loaded)
    })
}

/// Parses and checks every line, and hands `batches` the sealed rows of
/// each [`IMPORT_BATCH`], then [`Load::End`]. After a refused line nothing
/// more is handed on (the channel closes without an end) while the rest is
/// checked, for the first [`MAX_REFUSALS`].
fn read(
    lines: impl Iterator<Item = std::io::Result<(usize, String)>>,
    keyring: &Keyring,
    commit: Commit,
    batches: SyncSender<Load>,
) -> Result<(), ImportError> {
    let at = service_kit::db::timestamp(chrono::Utc::now());
    let mut batch = BusinessRecords::default();
    let mut refusals = Vec::new();
    let mut lines = lines.peekable();
    while let Some(line) = lines.next() {
        let (number, text) = line?;
        match parse_line(number, &text) {
            Ok(record) if refusals.is_empty() => batch.push(record),
            Ok(_) => {}
            // Checked in the first pass: the file changed since.
            Err(refusal) if matches!(commit, Commit::EachBatch) => {
                return Err(ImportError::Changed(refusal))
            }
            Err(refusal) => {
                refusals.push(refusal);
                if refusals.len() == MAX_REFUSALS {
                    break;
                }
            }
        }
        if refusals.is_empty() && (batch.len() >= IMPORT_BATCH || lines.peek().is_none()) {
            let rows = records::sealed_business(keyring, &batch, &at);
            if batches.send(Load::Rows(batch.len(), rows)).is_err() {
                return Ok(()); // The writer stopped; its error says why.
            }
            batch = BusinessRecords::default();
        }
    }
    if !refusals.is_empty() {
        return Err(ImportError::Refused(refusals));
    }
    let _ = batches.send(Load::End); // A writer that stopped has said why.
    Ok(())
}

/// Writes the batches `written` brings, as `commit` says; how many records
/// were loaded.
fn write(db: &Database, written: Receiver<Load>, commit: Commit) -> Result<usize, ImportError> {
    let failed = |loaded, failure| ImportError::Database { loaded, failure };
    match commit {
        Commit::EachBatch => {
            let mut loaded = 0;
            for load in written {
                if let Load::Rows(count, rows) = load {
                    db.run_now(|conn| Ok(records::store_business(conn, &rows)?))
                        .map_err(|failure| failed(loaded, failure))?;
                    loaded += count;
                }
            }
            Ok(loaded)
        }
        Commit::AtTheEnd => {
            match db.run_now(|conn| {
                Ok(write_transaction(conn, |conn| {
                    write_until_end(conn, &written)
                }))
            }) {
                Ok(Ok(loaded)) => Ok(loaded),
                // The reader's refusals say why.
                Ok(Err(diesel::result::Error::RollbackTransaction)) => Ok(0),
                Ok(Err(e)) => Err(failed(0, e.into())),
                Err(failure) => Err(failed(0, failure)),
            }
        }
    }
}

/// Writes the batches `written` brings on `conn` until [`Load::End`]; how
/// many records they held. A channel closed before the end (a refused
/// line) is diesel's `RollbackTransaction`, which rolls the transaction
/// back.
fn write_until_end(conn: &mut DbConnection, written: &Receiver<Load>) -> QueryResult<usize> {
    let mut loaded = 0;
    for load in written {
        match load {
            Load::Rows(count, rows) => {
                records::upsert_business(conn, &rows)?;
                loaded += count;
            }
            Load::End => return Ok(loaded),
        }
    }
    Err(diesel::result::Error::RollbackTransaction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_lists_the_first_refusals_in_line_order() {
        let good = r#"{"kind": "account", "record": {"accountId": "A1"}}"#;
        let bad = r#"{"kind": "account", "record": {}}"#;
        // Refusals spread over chunks and threads: every third line of two
        // and a half chunks.
        let lines = (1..=CHECK_CHUNK * 5 / 2)
            .map(|n| Ok((n, if n % 3 == 0 { bad } else { good }.to_owned())));
        let refusals = check_all(lines).expect("read");
        let named: Vec<String> = refusals.iter().map(|r| r.field.clone()).collect();
        let expected: Vec<String> = (1..=MAX_REFUSALS)
            .map(|i| format!("line {}: record.accountId", i * 3))
            .collect();
        assert_eq!(named, expected);
        let clean = (1..=CHECK_CHUNK + 1).map(|n| Ok((n, good.to_owned())));
        assert!(check_all(clean).expect("read").is_empty());
    }

    /// On SQLite the file is read twice; a line the first read accepted and
    /// the second refuses stops the import, saying so.
    #[test]
    fn a_file_changed_between_the_passes_is_named() {
        use service_kit::db::DatabaseUrl;
        use service_kit::Secret;
        let dir = tempfile::tempdir().expect("tempdir");
        let url = DatabaseUrl::sqlite_file(&dir.path().join("case.db"));
        let db = Database::open(&url, 2, &crate::config::DATABASE.migrations).expect("open");
        let key = format!("a:{}", "01".repeat(32));
        let keyring =
            Keyring::parse(&Secret::new(key), &Secret::new("11".repeat(32))).expect("keys");
        let reads = std::cell::Cell::new(0);
        let open = || -> std::io::Result<Box<dyn BufRead>> {
            reads.set(reads.get() + 1);
            let line = if reads.get() == 1 {
                r#"{"kind": "account", "record": {"accountId": "A1"}}"#
            } else {
                r#"{"kind": "account", "record": {}}"#
            };
            Ok(Box::new(std::io::Cursor::new(format!("{line}\n"))))
        };
        let err = import(&db, &keyring, open).expect_err("changed");
        assert_eq!(
            err.to_string(),
            "the file changed while it was loaded, and the lines before this one may have been loaded (loading the file again is safe):\n  line 1: record.accountId: is required"
        );
        assert_eq!(reads.get(), 2);
    }
}
