"""Shared helpers for the benchmark scripts: build and start the release
binary on a free loopback port with a throwaway data directory, and read its
memory use. Standard library only."""

import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CREDENTIAL = "bench-internal-credential-0123456789"


def release_binary(no_build=False):
    """Builds the release binary (unless ONBOARDING_BIN names one, or
    `no_build` says to use the one built before) and returns its path."""
    if no_build:
        os.environ.setdefault("ONBOARDING_BIN", os.path.join(ROOT, "target", "release", "onboarding"))
    explicit = os.environ.get("ONBOARDING_BIN")
    if explicit:
        return explicit
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "onboarding")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`onboarding serve` in the background, stopped with SIGTERM."""

    def __init__(self, binary, extra_env=None, args=("serve",), data_dir=None, ready_within=30):
        self.owns_data_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="onboarding-bench-")
        self.port = free_port()
        env = dict(os.environ)
        env.update({
            "PORT": str(self.port),
            "DATA_DIR": self.data_dir,
            "INTERNAL_CREDENTIAL": CREDENTIAL,
            "RUST_LOG": "warn",
            # One load generator is one client: limits it never reaches keep
            # the rate limiter on the hot path (its cost is measured) without
            # throttling the benchmark.
            "RATE_LIMIT_PER_SECOND": "1000000",
            "RATE_LIMIT_BURST": "1000000",
            "RATE_LIMIT_INTERNAL_PER_SECOND": "1000000",
        })
        env.update(extra_env or {})
        self.binary, self.env = binary, env
        # The server's log (RUST_LOG=warn by default: failures only), for
        # scripts that report why a request failed.
        self.log = tempfile.NamedTemporaryFile(prefix="onboarding-bench-log-", suffix=".log")
        self.process = subprocess.Popen([binary, *args], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + ready_within
        while time.time() < deadline:
            try:
                status, _ = request(self.port, "GET", "/health/ready")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("the server did not become ready")

    def token(self, subject, *roles, service="case"):
        """A development token for `subject` with `roles`, for the API of
        `service` (`case`: ECM, `user-action`: CAM), minted by the binary
        under the server's own settings (its signing secret, the API's
        audience)."""
        args = [self.binary, "token", "--for", service, "--subject", subject]
        for role in roles:
            args += ["--role", role]
        return subprocess.run(args, env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def rss_kib(self):
        """(current, peak) resident memory of the server, in KiB."""
        return proc_status_kib(self.process.pid, "VmRSS", "VmHWM")

    def log_lines(self):
        """The lines the server has logged so far."""
        with open(self.log.name, errors="replace") as log:
            return log.read().splitlines()

    def stop(self, keep_data=False):
        """Stops the server; removes its data directory unless kept or given."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()
        if self.owns_data_dir and not keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def proc_status_kib(pid, *keys):
    """The named fields of /proc/PID/status (memory sizes), in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return tuple(int(fields[key].split()[0]) for key in keys)


def request(port, method, path, body=None, headers=None, connection=None):
    """One request; returns (status, body bytes). Reuses `connection` if given."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response.status, data


# The CAM app the scripts register, and the operations' path.
APP_KEY, APP_SECRET = "bench-app", "bench-app-secret-0123456789"
CAM = "/services/data/v1/CustomerActionsManagement/operations"


def cam_env():
    """The server's environment for calling the CAM API: development tokens
    (a fresh secret) and the registered app."""
    return {
        "DEV_MODE": "true",
        "JWT_HS256_SECRET": secrets.token_hex(32),
        "USER_ACTION_APPS": f"{APP_KEY}:{hashlib.sha256(APP_SECRET.encode()).hexdigest()}",
        "RUST_LOG": "error",
    }


def cam_headers(token):
    """A CAM request's headers: the app's credentials and the user's token."""
    return {"X-Kony-App-Key": APP_KEY, "X-Kony-App-Secret": APP_SECRET, "X-Kony-Authorization": token,
            "Content-Type": "application/json"}


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[index]


def report(title, rows):
    print(f"\n{title}")
    for key, value in rows:
        print(f"  {key:<48} {value}")


def dumps(value):
    return json.dumps(value).encode()


PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
SERVICES = ("party", "document", "user_action", "case")


class Postgres:
    """A throwaway PostgreSQL server from the local binaries (PG_BIN), as
    the tests start one, but durable as in production: fsync and
    synchronous_commit stay on. Run as `postgres` when we are root."""

    def __init__(self):
        import pwd
        self.root = tempfile.mkdtemp(prefix="onboarding-bench-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            self.user = (entry.pw_uid, entry.pw_gid)
            os.chown(self.root, *self.user)
        self._run([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8"],
                  stdout=subprocess.DEVNULL)
        self.log = open(os.path.join(self.root, "server.log"), "ab")
        self.process = subprocess.Popen(
            [f"{PG_BIN}/postgres", "-D", self.data, "-p", str(self.port), "-k", self.root,
             "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=self.log, preexec_fn=self._demote())
        deadline = time.time() + 30
        while time.time() < deadline:
            if subprocess.run([f"{PG_BIN}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start")

    def _demote(self):
        if self.user is None:
            return None
        uid, gid = self.user
        return lambda: (os.setgid(gid), os.setuid(uid))

    def _run(self, args, **kwargs):
        subprocess.run(args, check=True, preexec_fn=self._demote(), **kwargs)

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database, sql, stdin=None):
        """Runs `sql` with psql on `database`; its output. A failure raises
        with what psql said."""
        done = subprocess.run(
            [f"{PG_BIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres", "-d", database, "-At", "-c", sql],
            input=stdin, capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"psql on {database} failed: {done.stderr.decode().strip()}")
        return done.stdout.decode()

    def fresh_databases(self, prefix):
        """A new database for each service; the server's environment for them."""
        env = {}
        for service in SERVICES:
            name = f"{prefix}_{service}"
            self.psql("postgres", f"CREATE DATABASE {name}")
            env[f"{service.upper()}_DATABASE_URL"] = self.url(name)
        return env

    def pgbench_inserts(self, database, clients, seconds):
        """One-row INSERTs per second that `clients` pgbench clients sustain
        into a scratch table of `database` (dropped afterwards): the
        ceiling a service's single-row create is measured against."""
        row = "x" * 300
        self.psql(database, "CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
        with tempfile.NamedTemporaryFile("w", suffix=".sql", dir=self.root, delete=False) as script:
            script.write(f"INSERT INTO bench_raw (body) VALUES ('{row}');\n")
        os.chmod(script.name, 0o644)
        try:
            out = subprocess.run(
                [f"{PG_BIN}/pgbench", "-n", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                 "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)), "-T", str(seconds),
                 "-f", script.name, database],
                check=True, capture_output=True, text=True, preexec_fn=self._demote()).stdout
        finally:
            os.unlink(script.name)
            self.psql(database, "DROP TABLE bench_raw")
        return float(re.search(r"tps = ([\d.]+)", out).group(1))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


# The pragmas every service's SQLite connection runs (service_kit::db).
SQLITE_PRAGMAS = ("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                  "PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16000; "
                  "PRAGMA wal_autocheckpoint = 10000;")


def sqlite_inserts(path, seconds):
    """One-row INSERTs per second, each its own transaction, into a scratch
    table of the SQLite file at `path` (dropped afterwards), with the
    services' pragmas: the ceiling a service's single-row create is
    measured against on the embedded backend."""
    row = "x" * 300
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(SQLITE_PRAGMAS + "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            db.execute("INSERT INTO bench_raw (body) VALUES (?)", (row,))
        count += 100
    rate = count / (time.perf_counter() - started)
    db.execute("DROP TABLE bench_raw")
    db.close()
    return rate


def backend_options(parser):
    """Adds the options every script takes: `--no-build` and `--backend`."""
    parser.add_argument("--no-build", action="store_true", help="use the existing release binary")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")


def on_each_backend(choice, measure):
    """Calls `measure(backend, pg)` for each backend a `--backend` choice
    names, in order, with a throwaway PostgreSQL server (`pg`, None when
    only SQLite is chosen) stopped afterwards; their results."""
    chosen = ["sqlite", "postgres"] if choice == "both" else [choice]
    pg = Postgres() if "postgres" in chosen else None
    try:
        return [measure(backend, pg) for backend in chosen]
    finally:
        if pg:
            pg.stop()


def database_env(backend, pg):
    """The server's environment for `backend`'s databases: fresh PostgreSQL
    databases on `pg`, or nothing (SQLite files in the data directory)."""
    return pg.fresh_databases(f"bench_{secrets.token_hex(4)}") if backend == "postgres" else {}
