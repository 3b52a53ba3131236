#!/usr/bin/env python3
"""Soak: mixed load against the release build in standalone mode for a fixed
time (default 10 minutes), on loopback, with a fixed number of closed-loop
clients (bounded: each waits for its answer before sending the next).

Each client repeats an onboarding journey and a case-management round:

  CAM  createProspectProfile, createPreRequirements, getUserActions x4,
       uploadDocument (a 4 KiB PDF), updateUserAction, getUserActions
  ECM  addCustomer (the vendor's full sample customer, a new id each time),
       getCaseDetails

Every answer must be a success, and the server must log no warning or
error (RUST_LOG=warn). Each window (default 60 s) reports the
requests done, their p50/p99 latency, the errors and the server's memory
(VmRSS, and its anonymous part, which excludes SQLite's memory-mapped
file pages). At the end it checks:

  - no errors;
  - memory flat: anonymous RSS at the end within 10% (+ 8 MiB) of the RSS
    at the half-way window. The first minutes fill bounded caches (the
    rendered-listing cache, SQLite's page caches, connection pools), so
    growth is judged over the second half; all the figures are printed;
  - p99 stable: the last window's p99 within 2x the first window's.

Usage: bench/soak.py [--minutes 10] [--clients 8] [--window 60]
(ONBOARDING_BIN names a binary already built; otherwise it is built.)
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, Server, percentile, proc_status_kib, release_binary, report  # noqa: E402

JWT_SECRET = "soak-jwt-secret-0123456789abcdef012345"
APP_KEY, APP_SECRET = "soak-app", "soak-app-secret-0123456789"
CAM = "/services/data/v1/CustomerActionsManagement/operations"
ECM = "/rest-api/ECMService/CaseManagementService"
SEED_CUSTOMER = os.path.join(ROOT, "services", "case", "tests", "api", "seed_request.json")
PDF = base64.b64encode(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"x" * 4096).decode()


def env():
    return {
        "DEV_MODE": "true",
        "JWT_HS256_SECRET": JWT_SECRET,
        "USER_ACTION_APPS": f"{APP_KEY}:{hashlib.sha256(APP_SECRET.encode()).hexdigest()}",
        "RUST_LOG": "warn",
    }


def mint(binary, service, subject, roles=()):
    """A token for the API of `service` (`user-action`: CAM, `case`: ECM)."""
    args = [binary, "token", "--for", service, "--subject", subject]
    for role in roles:
        args += ["--role", role]
    out = subprocess.run(args, env={**os.environ, **env()}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Stats:
    """Latencies and errors of the current window, shared by the clients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.errors, self.first_errors = [], 0, []

    def record(self, seconds, error=None):
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors += 1
                if len(self.first_errors) < 5:
                    self.first_errors.append(error)

    def take(self):
        with self.lock:
            taken = (self.latencies, self.errors, self.first_errors)
            self.latencies, self.errors, self.first_errors = [], 0, []
            return taken


class Client:
    """One closed-loop client on one keep-alive connection."""

    def __init__(self, port, index, cam_token, ecm_token, customer, stats):
        self.port, self.index, self.stats = port, index, stats
        self.cam = {"X-Kony-App-Key": APP_KEY, "X-Kony-App-Secret": APP_SECRET,
                    "X-Kony-Authorization": cam_token, "Content-Type": "application/json"}
        self.ecm = {"Authorization": f"Bearer {ecm_token}", "Content-Type": "application/json"}
        self.customer = customer
        self.case_id = f"SOAK-{index:03}"
        self.conn = None

    def call(self, path, body, headers, ok):
        """Posts `body`; records the latency, and an error unless `ok(status, answer)`."""
        data = json.dumps(body).encode()
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request("POST", path, body=data, headers=headers)
            response = self.conn.getresponse()
            status, answer = response.status, json.loads(response.read() or b"null")
        except (OSError, http.client.HTTPException, ValueError) as e:
            self.conn = None
            self.stats.record(time.perf_counter() - started, f"{path}: {e!r}")
            return None
        elapsed = time.perf_counter() - started
        good = ok(status, answer)
        self.stats.record(elapsed, None if good else f"{path}: {status} {json.dumps(answer)[:300]}")
        return answer if good else None

    def cam_call(self, operation, body):
        return self.call(f"{CAM}/{operation}", body, self.cam,
                         lambda status, answer: status == 200 and isinstance(answer, dict) and answer.get("opstatus") == 0)

    def ecm_call(self, operation, body):
        return self.call(f"{ECM}/{operation}", body, self.ecm,
                         lambda status, answer: status == 200 and (not isinstance(answer, dict) or answer.get("STATUS", "SUCCESS") == "SUCCESS"))

    def journey(self, n):
        profile = {"FirstName": "Soak", "LastName": f"Client{self.index}", "DateOfBirth": "1985-10-10",
                   "Email": f"soak{self.index}@example.com", "MobileCountryCode": "+44", "MobileNumber": "7700900123"}
        created = self.cam_call("PersonalInfo/createProspectProfile", profile)
        if not created:
            return
        application, party = created["Application_id"], created["Party_Id"]
        self.cam_call("UserAction/createPreRequirements", {"Application_id": application})
        for _ in range(4):
            self.cam_call("UserAction/getUserActions", {"Application_id": application, "isPre": "true"})
        self.cam_call("UserAction/uploadDocument", {
            "UserActionIdentifier": f"DriverLicense_{party}_{application}",
            "Response": [{"fileName": f"licence-{n}.pdf", "fileType": "application/pdf", "fileInfo": "",
                          "fileClientId": n, "fileContents": PDF}]})
        self.cam_call("UserAction/updateUserAction", {
            "UserActionIdentifier": f"TimeOnCurrentAddress_{party}_{application}", "Response": "2015-06",
            "Status": "Submitted"})
        self.cam_call("UserAction/getUserActions", {"Application_id": application})
        customer = dict(self.customer, customerId=f"SOAK-{self.index:03}-{n:07}")
        self.ecm_call("addCustomer", [{"caseId": self.case_id, "customers": [customer]}])
        self.ecm_call("getCaseDetails", {"caseId": self.case_id})

    def run(self, deadline):
        self.ecm_call("createCase", [{"caseId": self.case_id, "caseTypeCode": "KYC"}])
        n = 0
        while time.time() < deadline:
            self.journey(n)
            n += 1


def memory(pid):
    """(VmRSS, RssAnon) of `pid` in MiB."""
    return tuple(kib / 1024 for kib in proc_status_kib(pid, "VmRSS", "RssAnon"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--window", type=int, default=60, help="seconds per reported window")
    options = parser.parse_args()
    binary = release_binary()
    with open(SEED_CUSTOMER) as seed:
        customer = json.load(seed)[0]["customers"][0]
    ecm_token = mint(binary, "case", "soak-analyst", ["case:write", "case:read"])
    cam_tokens = [mint(binary, "user-action", f"soak-user-{i}") for i in range(options.clients)]

    server = Server(binary, env())
    stats = Stats()
    deadline = time.time() + options.minutes * 60
    clients = [Client(server.port, i, cam_tokens[i], ecm_token, customer, stats) for i in range(options.clients)]
    threads = [threading.Thread(target=c.run, args=(deadline,), daemon=True) for c in clients]
    windows = []
    try:
        start_rss = memory(server.process.pid)
        for thread in threads:
            thread.start()
        window_start = time.time()
        while time.time() < deadline:
            time.sleep(max(0.0, min(options.window, deadline - time.time())))
            latencies, errors, first_errors = stats.take()
            elapsed = time.time() - window_start
            window_start = time.time()
            rss, anon = memory(server.process.pid)
            windows.append({"requests": len(latencies), "rps": len(latencies) / elapsed,
                            "p50": percentile(latencies, 50) * 1000, "p99": percentile(latencies, 99) * 1000,
                            "errors": errors, "first_errors": first_errors, "rss": rss, "anon": anon})
            w = windows[-1]
            print(f"  window {len(windows):>2}: {w['requests']:>7} requests ({w['rps']:6.0f}/s)  p50 {w['p50']:6.2f} ms  "
                  f"p99 {w['p99']:6.2f} ms  errors {errors}  RSS {rss:6.1f} MiB (anonymous {anon:6.1f})", flush=True)
            for error in first_errors:
                print(f"      {error}")
        for thread in threads:
            thread.join(timeout=60)
        end_rss = memory(server.process.pid)
        logged = [line for line in server.log_lines() if re.search(r"\b(WARN|ERROR)\b", line)]
    finally:
        server.stop()

    first, middle, last = windows[0], windows[(len(windows) - 1) // 2], windows[-1]
    errors = sum(w["errors"] for w in windows)
    total = sum(w["requests"] for w in windows)
    memory_flat = last["anon"] <= middle["anon"] * 1.10 + 8
    p99_stable = last["p99"] <= first["p99"] * 2
    report(f"soak: {options.minutes:g} min, {options.clients} clients, release build, standalone (SQLite), loopback", [
        ("requests", f"{total} ({total / (options.minutes * 60):.0f}/s), errors {errors}"),
        ("RSS at start (idle)", f"{start_rss[0]:.1f} MiB (anonymous {start_rss[1]:.1f})"),
        ("RSS after the first window", f"{first['rss']:.1f} MiB (anonymous {first['anon']:.1f})"),
        ("RSS at the half-way window", f"{middle['rss']:.1f} MiB (anonymous {middle['anon']:.1f})"),
        ("RSS at the end", f"{end_rss[0]:.1f} MiB (anonymous {end_rss[1]:.1f})"),
        ("p99, first window / last window", f"{first['p99']:.2f} ms / {last['p99']:.2f} ms"),
        ("p99, all windows", ", ".join(f"{w['p99']:.1f}" for w in windows)),
        ("memory flat (anonymous, end <= 1.1 x half-way + 8 MiB)", "yes" if memory_flat else "NO"),
        ("p99 stable (last <= 2 x first)", "yes" if p99_stable else "NO"),
    ])
    if logged:
        print(f"\nthe server logged {len(logged)} warnings or errors; the first:")
        for line in logged[:10]:
            print(f"  {line[:400]}")
    ok = errors == 0 and not logged and memory_flat and p99_stable
    print("\nresult:", "soak passed" if ok else "SOAK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
