//! Files a run keeps on disk (embedded databases, local documents,
//! generated secrets) are the owner's alone: directories 0700, files 0600.
//!
//! The binary also sets its umask to 0077 (`src/main.rs`), which covers what
//! libraries create on their own (SQLite's `-wal` and `-shm`, the object
//! store's files and directories); these helpers make the modes explicit
//! where the chassis creates things itself, whatever the umask.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::net::IpAddr;
use std::path::Path;

/// The mode of every directory a run creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file a run creates.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents, each readable by the owner only.
/// A directory that already exists keeps its mode: it is the operator's.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Creates the file `path`, which must not exist yet, readable and
/// writable by the owner only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options.open(path)
}

/// Whether `host` (a `HOST` value) is a loopback address, or `localhost`:
/// the only place a standalone run may generate its own secrets, since
/// nobody else can reach it there.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["0.0.0.0", "::", "[::]", "10.0.0.5", "example.com", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
