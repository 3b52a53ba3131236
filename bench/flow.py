#!/usr/bin/env python3
"""The application flow's performance (issue 14, point 8), against the
release build, on SQLite and PostgreSQL (`--backend sqlite|postgres|both`):

1. Submit -> case opened at a steady rate (default 50 submissions/s for
   25 s; targets: p50 <= 50 ms, p99 <= 250 ms). The applications are
   prepared first, untimed (a profile, the prerequirements, two uploads
   and three answers each, one applicant each); then an open-loop
   schedule sends each one's `signalProcess` Submit at its fixed time,
   whatever the answers before it did. A subscription to `case.opened`
   points at a receiver of the script's own (bench/hooks.py, its own
   process), which notes each webhook's arrival time. Per application:
   `opened` is the case's opening as case-service recorded it (the
   webhook's `timestamp`, written in the case's transaction, millisecond
   precision) minus the time the Submit request was sent; `heard` is the
   webhook's arrival minus the same, which adds case-service's own outbox
   hop. The target is judged on `heard`, the later of the two: by then the
   case exists and the bank's systems know it. Nothing polls the servers.

2. Dispatcher throughput (target >= 2,000 events/s): a backlog of outbox
   events is written straight into user-action's `outbox` table while the
   server is stopped, then the server is started and the backlog delivered,
   one scenario per destination kind, each on fresh databases:
   - `internal`: `application.withdrawn` events (one per application),
     which go to case-service only (no webhook subscription); case-service
     applies each once by id (no case to close, so it records it);
   - `webhook`: `application.approved` events, which case-service does not
     take, to one subscription at the script's receiver (answers 204);
   - `both`: `application.withdrawn` to case-service and a subscription.
   The rate is the delivered rows of `outbox_deliveries` over the span
   from the first delivery to the last (each row's `delivered_at`); the
   script only counts what is left every second to know when to stop.

Every server runs with the default OUTBOX_* settings (poll interval 1 s,
64 deliveries at once), RUST_LOG=error, and the in-process peers
(standalone: the services call each other over loopback HTTP).
Run it holding the build lock, so that no build shares the cores:

    flock /tmp/cargo.lock python3 bench/flow.py --no-build --backend both

Usage: bench/flow.py [--no-build] [--backend both] [--rate 50] [--seconds 25]
                     [--events 50000] [--kinds internal,webhook,both]
"""

import argparse
import base64
import concurrent.futures
import datetime
import http.client
import json
import os
import queue
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hooks  # noqa: E402
from common import (CAM, Server, backend_options, cam_env, cam_headers, database_env, on_each_backend,  # noqa: E402
                    percentile, release_binary, report)
from user_action_load import PROFILE  # noqa: E402

PDF = base64.b64encode(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + b"x" * 3000).decode()
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WEBHOOK_ENV = {"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_ALLOW_HTTP": "true"}


def subscribe(data_dir, receiver, events):
    """A WEBHOOKS_FILE in `data_dir` subscribing `receiver` to `events`;
    the server's variables for it."""
    path = os.path.join(data_dir, "webhooks.json")
    with open(path, "w") as f:
        json.dump([{"name": "bench", "url": receiver.url(), "events": events, "secrets": [SECRET]}], f)
    return {"WEBHOOKS_FILE": path, **WEBHOOK_ENV}


class Cam:
    """CAM calls on a keep-alive connection of the calling thread."""

    def __init__(self, port):
        self.port, self.local = port, threading.local()

    def call(self, token, operation, body):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", f"{CAM}/{operation}", json.dumps(body), cam_headers(token))
            response = conn.getresponse()
            data = response.read()
        except OSError:
            self.local.conn = None
            conn.close()
            raise
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {data[:300]!r}")
        return json.loads(data)


def prepare(server, cam, n):
    """An application ready to submit: (token, Application_id)."""
    token = server.token(f"bench-flow-{n}", service="user-action")
    created = cam.call(token, "PersonalInfo/createProspectProfile", PROFILE)
    application, party = created["Application_id"], created["Party_Id"]
    cam.call(token, "UserAction/createPreRequirements", {})
    for name, file_name in (("ProofOfIncomeEmployed", "payslip.pdf"), ("DriverLicense", "licence.pdf")):
        action = f"{name}_{party}_{application}"
        cam.call(token, "UserAction/uploadDocument", {"UserActionIdentifier": action, "Response": [
            {"fileName": file_name, "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1,
             "fileContents": PDF}]})
        cam.call(token, "UserAction/updateUserAction", {"UserActionIdentifier": action, "Response": "", "Status": "Submitted"})
    cam.call(token, "UserAction/updateUserAction", {"UserActionIdentifier": f"TimeOnCurrentAddress_{party}_{application}",
                                                    "Response": "2015-06", "Status": "Submitted"})
    return token, application


def submit_at_rate(cam, ready, rate, workers=32):
    """Sends each application's Submit at its time on a fixed schedule
    (`rate` a second, open loop); {application: (sent, answered)} and the
    lateness of each send against its schedule."""
    jobs, sent, late = queue.Queue(), {}, []
    lock = threading.Lock()

    def worker():
        while (job := jobs.get()) is not None:
            due, (token, application) = job
            started = time.time()
            answer = cam.call(token, "UserAction/signalProcess", {"Signal": "Submit"})
            answered = time.time()
            assert answer["ApplicationStatus"] == "Submitted", answer
            with lock:
                sent[application] = (started, answered)
                late.append(started - due)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start = time.time() + 0.5
    for i, item in enumerate(ready):
        due = start + i / rate
        time.sleep(max(0.0, due - time.time()))
        jobs.put((due, item))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    return sent, late


def latency(binary, backend, pg, options):
    """Submit -> case opened at a steady rate, on one backend; report rows
    and whether the targets are met."""
    receiver = hooks.Receiver(record=True)
    settings = {**cam_env(), **database_env(backend, pg)}
    data_dir = tempfile.mkdtemp(prefix="onboarding-bench-flow-")
    settings.update(subscribe(data_dir, receiver, ["case.opened"]))
    server = Server(binary, settings, data_dir=data_dir)
    count = options.rate * options.seconds
    try:
        cam = Cam(server.port)
        prepared_at = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ready = list(pool.map(lambda n: prepare(server, cam, n), range(count)))
        prepared_in = time.time() - prepared_at
        sent, late = submit_at_rate(cam, ready, options.rate)
        heard = {}
        deadline = time.time() + 60
        while len(heard) < count and time.time() < deadline:
            for arrived, body in receiver.arrivals():
                hook = json.loads(body)
                heard[hook["data"]["Application_id"]] = (arrived, iso_seconds(hook["timestamp"]))
            time.sleep(0.1)
    finally:
        server.stop()
        receiver.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    answers = [(answered - started) * 1000 for started, answered in sent.values()]
    opened = [(heard[a][1] - s[0]) * 1000 for a, s in sent.items() if a in heard]
    arrival = [(heard[a][0] - s[0]) * 1000 for a, s in sent.items() if a in heard]
    met = len(arrival) == count and percentile(arrival, 50) <= 50 and percentile(arrival, 99) <= 250
    spread = lambda values: (f"p50 {percentile(values, 50):7.1f} ms, p99 {percentile(values, 99):7.1f} ms, "  # noqa: E731
                             f"max {max(values):7.1f} ms")
    rows = [
        (f"{backend}: applications prepared (untimed)", f"{count} in {prepared_in:.1f} s"),
        (f"{backend}: Submits sent at {options.rate}/s", f"{len(sent)}, lateness p99 {percentile(late, 99) * 1000:.1f} ms, "
                                                         f"max {max(late) * 1000:.1f} ms"),
        (f"{backend}: Submit answered", spread(answers)),
        (f"{backend}: submit -> case opened (recorded)", spread(opened) if opened else "none"),
        (f"{backend}: submit -> case.opened heard", spread(arrival) if arrival else "none"),
        (f"{backend}: cases heard of", f"{len(heard)} of {count}"),
        (f"{backend}: target p50 <= 50 ms, p99 <= 250 ms", "met" if met else "MISSED"),
    ]
    return rows, met


def iso_seconds(text):
    """Seconds since the epoch of an RFC 3339 UTC time (`...Z`)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


KINDS = {
    # scenario: (the events' kind, the webhook subscription's events or None)
    "internal": ("application.withdrawn", None),
    "webhook": ("application.approved", ["application.approved"]),
    "both": ("application.withdrawn", ["application.withdrawn"]),
}


def backlog_rows(kind, events):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    status = "Withdrawn" if kind.endswith("withdrawn") else "Approved"
    for i in range(events):
        application = f"BENCH{i:07d}"
        payload = json.dumps({"Application_id": application, "ApplicationStatus": status})
        yield (str(uuid.uuid4()), application, kind, payload, f"bench-flow-{i}", now)


class UserActionDb:
    """user-action's database, read and written by the script."""

    def __init__(self, backend, pg, settings, data_dir):
        self.pg = pg if backend == "postgres" else None
        self.name = settings.get("USER_ACTION_DATABASE_URL", "").rsplit("/", 1)[-1]
        self.path = os.path.join(data_dir, "user-action.db")

    def query(self, sql):
        if self.pg:
            return [line.split("|") for line in self.pg.psql(self.name, sql).splitlines()]
        db = sqlite3.connect(self.path, timeout=30)
        try:
            return [[str(v) for v in row] for row in db.execute(sql).fetchall()]
        finally:
            db.close()

    def write_backlog(self, kind, events):
        columns = "(id, aggregate_id, kind, payload, request_id, created_at)"
        if self.pg:
            lines = "".join("\t".join(row) + "\n" for row in backlog_rows(kind, events))
            self.pg.psql(self.name, f"COPY outbox {columns} FROM STDIN", stdin=lines.encode())
            self.pg.psql(self.name, "ANALYZE outbox")
            return
        db = sqlite3.connect(self.path)
        db.executemany(f"INSERT INTO outbox {columns} VALUES (?, ?, ?, ?, ?, ?)", backlog_rows(kind, events))
        db.commit()
        db.close()


def throughput(binary, backend, pg, options, scenario):
    """The dispatcher's rate through a backlog, for one scenario; report
    rows and whether the target is met."""
    kind, events = KINDS[scenario]
    receiver = hooks.Receiver() if events else None
    settings = {**cam_env(), **database_env(backend, pg), "RUST_LOG": "warn"}
    first = Server(binary, settings)
    first.stop(keep_data=True)
    data_dir = first.data_dir
    if receiver:
        settings.update(subscribe(data_dir, receiver, events))
    db = UserActionDb(backend, pg, settings, data_dir)
    try:
        db.write_backlog(kind, options.events)
        expected = options.events * (2 if scenario == "both" else 1)
        started = time.time()
        server = Server(binary, settings, data_dir=data_dir, ready_within=120)
        try:
            deadline = started + options.timeout
            while time.time() < deadline:
                waiting, pending = map(int, db.query(
                    "SELECT (SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL), "
                    "(SELECT COUNT(*) FROM outbox_deliveries WHERE status = 'pending')")[0])
                if waiting == 0 and pending == 0:
                    break
                time.sleep(1)
            emptied = time.time() - started
            warnings = [line for line in server.log_lines() if " WARN " in line or " ERROR " in line]
        finally:
            server.stop()
        per = db.query("SELECT destination, status, COUNT(*), MIN(delivered_at), MAX(delivered_at), MAX(attempts) "
                       "FROM outbox_deliveries GROUP BY destination, status ORDER BY destination, status")
    finally:
        if receiver:
            receiver.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    delivered = [row for row in per if row[1] == "delivered"]
    total = sum(int(row[2]) for row in delivered)
    span = lambda rows: (max(iso_seconds(r[4]) for r in rows) - min(iso_seconds(r[3]) for r in rows))  # noqa: E731
    rate = total / span(delivered) if delivered else 0.0
    met = total == expected and rate >= 2000
    rows = [(f"{backend}: {scenario}: {options.events} {kind}", f"{total} of {expected} deliveries in {span(delivered):.1f} s: "
             f"{rate:,.0f}/s (backlog empty {emptied:.1f} s after the start): {'met' if met else 'MISSED'}")]
    for destination, status, count, first_at, last_at, attempts in per:
        if status == "delivered":
            one = int(count) / (iso_seconds(last_at) - iso_seconds(first_at))
            rows.append((f"{backend}: {scenario}: to {destination}", f"{count} delivered, {one:,.0f}/s, most attempts {attempts}"))
        else:
            rows.append((f"{backend}: {scenario}: to {destination}", f"{count} {status}"))
    if receiver:
        rows.append((f"{backend}: {scenario}: requests the receiver answered", str(receiver.count())))
    rows.append((f"{backend}: {scenario}: warnings and errors logged", str(len(warnings))))
    rows += [(f"{backend}: {scenario}: logged", line[:300]) for line in warnings[:3]]
    return rows, met


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--rate", type=int, default=50, help="submissions a second")
    parser.add_argument("--seconds", type=int, default=25, help="how long the submissions last")
    parser.add_argument("--events", type=int, default=50_000, help="the backlog of each throughput scenario")
    parser.add_argument("--kinds", default="internal,webhook,both", help="throughput scenarios (or none)")
    parser.add_argument("--timeout", type=int, default=300, help="most seconds a backlog is given")
    parser.add_argument("--skip-latency", action="store_true")
    options = parser.parse_args()
    scenarios = [k for k in options.kinds.split(",") if k and k != "none"]
    binary = release_binary(options.no_build)

    def measure(backend, pg):
        results = [] if options.skip_latency else [latency(binary, backend, pg, options)]
        results += [throughput(binary, backend, pg, options, s) for s in scenarios]
        return results

    results = [r for per_backend in on_each_backend(options.backend, measure) for r in per_backend]
    report(f"the application flow, release build: Submit at {options.rate}/s for {options.seconds} s; "
           f"backlogs of {options.events} events", [row for rows, _ in results for row in rows])
    ok = all(met for _, met in results)
    print("\nresult:", "targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
