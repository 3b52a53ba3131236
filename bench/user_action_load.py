#!/usr/bin/env python3
"""user-action-service under load, against the release build in standalone
mode (embedded SQLite), with 64 connections (wrk):

- getUserActions vs /health/live          (target: >= 40% of its throughput)
- createProspectProfile vs party-service's direct create
                                           (target: >= 50% of its throughput)
- getUserActions latency with 1,000,000 stored actions vs with 10,000
                                           (target: within 1.5x)

The stored actions are added straight into the service's SQLite database
while the server is stopped (the API would take hours to make a million).

Usage: bench/user_action_load.py [--seconds S] [--connections C]
"""

import argparse
import hashlib
import shutil
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrk  # noqa: E402
from common import CREDENTIAL, Server, report, request  # noqa: E402

JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123"
APP_KEY, APP_SECRET = "bench-app", "bench-app-secret-0123456789"
CAM = "/services/data/v1/CustomerActionsManagement/operations"


def env():
    return {
        "DEV_MODE": "true",
        "JWT_HS256_SECRET": JWT_SECRET,
        "USER_ACTION_APPS": f"{APP_KEY}:{hashlib.sha256(APP_SECRET.encode()).hexdigest()}",
        "RUST_LOG": "error",
    }


def mint(binary, subject):
    out = subprocess.run([binary, "token", "--for", "user-action", "--subject", subject], env={**os.environ, **env()}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def cam_headers(token):
    return {"X-Kony-App-Key": APP_KEY, "X-Kony-App-Secret": APP_SECRET, "X-Kony-Authorization": token, "Content-Type": "application/json"}


PROFILE = {"FirstName": "Virat", "LastName": "Kohli", "DateOfBirth": "1985-10-10", "Email": "kanand@temenos.com",
           "MobileCountryCode": "+91", "MobileNumber": "9994305648", "ApplicantType": "Applicant"}


def fill_actions(data_dir, total):
    """Adds filler applications and actions until the database holds `total` actions."""
    db = sqlite3.connect(os.path.join(data_dir, "user-action.db"))
    have = db.execute("SELECT COUNT(*) FROM user_actions").fetchone()[0]
    missing = total - have
    if missing > 0:
        apps = (missing + 5) // 6
        start = db.execute("SELECT COUNT(*) FROM applications").fetchone()[0]
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(f"""
            WITH RECURSIVE n(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM n WHERE i < {start + apps - 1})
            INSERT INTO applications (id, owner_subject, main_party_id, status, branch_reference, section_progress,
                is_existing_customer, created_at, updated_at) SELECT printf('F%06d', i), 'filler-' || i, printf('%010d', 1000000000 + i), 'InProgress',
                NULL, NULL, NULL, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {missing - 1})
            INSERT INTO user_actions SELECT printf('CA%012d', 100000000000 + {have} + i),
                printf('Filler_%010d_F%06d_%d', 1000000000 + {start} + i / 6, {start} + i / 6, i % 6),
                printf('F%06d', {start} + i / 6), 'ProofOfIncomeEmployed', printf('%010d', 1000000000 + {start} + i / 6),
                printf('%024x', {start} + i / 6), 'Created', '', 1, i % 6, NULL, 1,
                '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM n;
        """)
        db.commit()
    count = db.execute("SELECT COUNT(*) FROM user_actions").fetchone()[0]
    db.close()
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    options = parser.parse_args()
    from common import release_binary
    binary = release_binary()
    token = mint(binary, "bench-user")
    run = lambda url, **kw: wrk.run(url, connections=options.connections, seconds=options.seconds, **kw)  # noqa: E731

    server = Server(binary, env())
    base = f"http://127.0.0.1:{server.port}"
    results = {}
    try:
        status, _ = request(server.port, "POST", f"{CAM}/PersonalInfo/createProspectProfile", json.dumps(PROFILE), cam_headers(token))
        assert status == 200, status
        status, _ = request(server.port, "POST", f"{CAM}/UserAction/createPreRequirements", "{}", cam_headers(token))
        assert status == 200, status
        results["health"] = run(f"{base}/health/live")
        results["get_actions"] = run(f"{base}{CAM}/UserAction/getUserActions", method="POST", body='{"isPre":"true"}', headers=cam_headers(token))
        creator = mint(binary, "bench-creator")
        results["create_profile"] = run(f"{base}{CAM}/PersonalInfo/createProspectProfile", method="POST", body=json.dumps(PROFILE), headers=cam_headers(creator))
        party = {"kind": "person", "firstName": "Virat", "lastName": "Kohli", "dateOfBirth": "1985-10-10",
                 "contactPoints": [{"channel": "email", "value": "kanand@temenos.com"}, {"channel": "phone", "value": "+919994305648"}]}
        results["party_create"] = run(f"{base}/party/v1/parties", method="POST", body=json.dumps(party),
                                      headers={"X-Service-Credential": CREDENTIAL, "Content-Type": "application/json"})
    finally:
        server.stop(keep_data=True)

    data_dir = server.data_dir
    scale = {}
    for total in (10_000, 1_000_000):
        stored = fill_actions(data_dir, total)
        again = Server(binary, env(), data_dir=data_dir)
        try:
            scale[total] = (stored, run(f"http://127.0.0.1:{again.port}{CAM}/UserAction/getUserActions", method="POST",
                                        body='{"isPre":"true"}', headers=cam_headers(token)))
        finally:
            again.stop()
    shutil.rmtree(data_dir, ignore_errors=True)

    get_ratio = results["get_actions"]["rps"] / results["health"]["rps"]
    create_ratio = results["create_profile"]["rps"] / results["party_create"]["rps"]
    small, large = scale[10_000][1], scale[1_000_000][1]
    latency_ratio = large["p50_ms"] / small["p50_ms"]
    p99_ratio = large["p99_ms"] / small["p99_ms"]
    report(f"user-action-service, release build, standalone, {options.connections} connections, {options.seconds} s each", [
        ("/health/live", wrk.line(results["health"])),
        ("getUserActions", wrk.line(results["get_actions"])),
        ("createProspectProfile", wrk.line(results["create_profile"])),
        ("party-service create (direct)", wrk.line(results["party_create"])),
        (f"getUserActions, {scale[10_000][0]} actions stored", wrk.line(small)),
        (f"getUserActions, {scale[1_000_000][0]} actions stored", wrk.line(large)),
        ("getUserActions / health", f"{get_ratio:.1%} (target >= 40%)"),
        ("createProspectProfile / party create", f"{create_ratio:.1%} (target >= 50%)"),
        ("latency 1M / 10k (p50, p99)", f"{latency_ratio:.2f}x, {p99_ratio:.2f}x (target <= 1.5x)"),
    ])
    errors = sum(r["non2xx"] for r in list(results.values()) + [small, large])
    ok = get_ratio >= 0.40 and create_ratio >= 0.50 and latency_ratio <= 1.5 and errors == 0
    print("\nresult:", "targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
