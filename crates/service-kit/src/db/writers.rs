//! One queue of writers per SQLite file in this process.
//!
//! SQLite lets one connection write at a time. A connection that finds the
//! file locked waits in SQLite's busy handler, which sleeps and retries
//! (1, 2, 5, ... up to 100 ms between tries): a writer that arrives while
//! others sleep can take the lock first, again and again, and under load
//! the unlucky ones waited most of a second. Writers of this process queue
//! on a mutex instead, and the lock passes from one to the next without a
//! sleep. The busy handler still covers writers in other processes (an
//! `onboarding import` beside a running server).

use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, QueryableByName, RunQueryDsl};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// The queue of each file, by path (`""` for in-memory databases, which
/// then share one: only tests use them).
static QUEUES: LazyLock<Mutex<HashMap<String, Arc<Mutex<()>>>>> = LazyLock::new(Mutex::default);

#[derive(QueryableByName)]
struct MainFile {
    #[diesel(sql_type = Text)]
    file: String,
}

/// Waits for this connection's file to have no other writer in this
/// process; the turn lasts as long as the guard. parking_lot's mutex hands
/// the lock over fairly once a waiter has waited a while, so no writer is
/// passed over indefinitely.
pub fn turn(conn: &mut SqliteConnection) -> QueryResult<WriterTurn> {
    // An in-process read of the connection's own schema list: microseconds.
    let file = diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .get_result::<MainFile>(conn)?
        .file;
    let queue = Arc::clone(QUEUES.lock().entry(file).or_default());
    Ok(WriterTurn {
        _guard: queue.lock_arc(),
    })
}

/// A writer's turn on its file: over when dropped.
pub struct WriterTurn {
    _guard: parking_lot::ArcMutexGuard<parking_lot::RawMutex, ()>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;
    use std::sync::mpsc;
    use std::time::Duration;

    fn open(dir: &tempfile::TempDir, name: &str) -> SqliteConnection {
        let path = dir.path().join(name);
        SqliteConnection::establish(path.to_str().expect("utf-8")).expect("open")
    }

    #[test]
    fn writers_of_one_file_take_turns_and_other_files_do_not_wait() {
        let dir = tempfile::tempdir().expect("a directory");
        let mut first = open(&dir, "a.db");
        let held = turn(&mut first).expect("a turn");
        let (done, finished) = mpsc::channel();
        for name in ["b.db", "a.db"] {
            let (mut conn, done) = (open(&dir, name), done.clone());
            std::thread::spawn(move || {
                let _turn = turn(&mut conn).expect("a turn");
                done.send(name).expect("sent");
            });
        }
        let wait = Duration::from_millis(300);
        assert_eq!(finished.recv_timeout(wait), Ok("b.db"), "another file");
        assert!(finished.recv_timeout(wait).is_err(), "the same file waits");
        drop(held);
        assert_eq!(finished.recv_timeout(wait), Ok("a.db"), "then it writes");
    }
}
