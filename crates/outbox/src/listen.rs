//! PostgreSQL's wake-up: a connection of its own, outside the pool, that
//! `LISTEN`s on the channel the outbox's trigger NOTIFYs at each commit,
//! on a thread of its own, and wakes the dispatcher.
//!
//! diesel reads notifications without blocking (`notifications_iter`
//! consumes what the socket holds) and gives no socket to wait on, so the
//! thread looks every [`LOOK_EVERY`]: a wake-up within ~10 ms of the
//! commit, for one system call per look. A lost connection (the server
//! restarted) is opened again, and the dispatcher woken, since events may
//! have been written meanwhile.

use crate::Waker;
use diesel::connection::SimpleConnection;
use service_kit::{Database, DbConnection};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The channel the outbox's trigger NOTIFYs.
pub(crate) const CHANNEL: &str = "outbox";

/// How often the connection is looked at for notifications.
const LOOK_EVERY: Duration = Duration::from_millis(10);

/// How often an idle connection is checked (`SELECT 1`): a connection cut
/// without a word (a network partition) would otherwise stay silent.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Starts the listening thread; it ends once `stopped` is set.
pub(crate) fn spawn(
    db: Database,
    waker: Waker,
    stopped: Arc<AtomicBool>,
    retry: Duration,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("outbox-listen".to_owned())
        .spawn(move || {
            let mut was_down = false;
            while !stopped.load(Ordering::Relaxed) {
                match listen(&db, &waker, &stopped, &mut was_down) {
                    Ok(()) => return,
                    Err(why) => {
                        if !was_down {
                            tracing::warn!(error = %why, "outbox LISTEN connection lost; reconnecting");
                        }
                        was_down = true;
                        sleep_unless_stopped(retry, &stopped);
                    }
                }
            }
        })
        .map(drop)
}

/// Listens until stopped (`Ok`) or the connection fails (`Err`).
fn listen(
    db: &Database,
    waker: &Waker,
    stopped: &AtomicBool,
    was_down: &mut bool,
) -> Result<(), String> {
    let DbConnection::Postgres(mut pg) = db.connect().map_err(|e| e.to_string())? else {
        return Ok(());
    };
    pg.batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(|e| e.to_string())?;
    if *was_down {
        tracing::info!("outbox LISTEN connection back");
        *was_down = false;
    }
    // Whatever was written while no one listened.
    waker.wake();
    let mut checked = Instant::now();
    while !stopped.load(Ordering::Relaxed) {
        let mut woken = false;
        for notification in pg.notifications_iter() {
            notification.map_err(|e| e.to_string())?;
            woken = true;
        }
        if woken {
            waker.wake();
        }
        if checked.elapsed() >= CHECK_EVERY {
            pg.batch_execute("SELECT 1").map_err(|e| e.to_string())?;
            checked = Instant::now();
        }
        std::thread::sleep(LOOK_EVERY);
    }
    Ok(())
}

fn sleep_unless_stopped(total: Duration, stopped: &AtomicBool) {
    let until = Instant::now() + total;
    while !stopped.load(Ordering::Relaxed) && Instant::now() < until {
        std::thread::sleep(LOOK_EVERY.max(Duration::from_millis(50)));
    }
}
