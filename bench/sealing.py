#!/usr/bin/env python3
"""What sealing personal data at rest costs: the release build of a commit
from before it (`--before`, default 2db44dd, the last commit where party,
user-action and case customers were stored in plaintext) against this
tree's, in one run, on SQLite and PostgreSQL (`--backend`, default both).

For each backend the two binaries take turns (`--rounds`, default 2, each
on fresh databases), and each turn measures, with wrk at 64 connections:

- createProspectProfile   (seals an applicant's names and the party's
                           names, date of birth and contact points)
- getUserActions          (opens every action's answer)
- party-service create    (direct; seals the party)

and, over one keep-alive connection, case-service's addCustomer one
customer per request (seals the customer's fields). It reports each
figure's median per binary and the ratio after / before.

The before binary is built once into target/bench-before/<commit>, from a
detached worktree of that commit that is removed afterwards. The commits
between the two differ in more than sealing (limits, intents, chosen party
ids), so the ratio bounds sealing's cost from above.

Usage: bench/sealing.py [--no-build] [--backend both] [--before REV] [--seconds S] [--rounds N]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrk  # noqa: E402
from case_add_customer import SEED, expect_success, post  # noqa: E402
from common import (CAM, CREDENTIAL, ROOT, Server, backend_options, cam_env, cam_headers,  # noqa: E402
                    database_env, on_each_backend, release_binary, report, request)
from user_action_load import PARTY, PROFILE  # noqa: E402

CUSTOMERS = 500


def before_binary(rev):
    """The release binary of `rev`, built once (cached by commit)."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    target = os.path.join(ROOT, "target", "bench-before", commit)
    binary = os.path.join(target, "release", "onboarding")
    if os.path.exists(binary):
        return commit, binary
    tree = tempfile.mkdtemp(prefix="onboarding-before-")
    subprocess.run(["git", "worktree", "add", "--detach", tree, commit], cwd=ROOT, check=True, capture_output=True)
    try:
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=tree, env=env, check=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=ROOT, check=True)
    return commit, binary


def add_customers(server, sample):
    """ms per customer of addCustomer, one customer per request, over one
    keep-alive connection."""
    token = server.token("bench", "case:write")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    expect_success(*post(server.port, conn, token, "createCase", json.dumps([{"caseId": "SEAL-1"}]).encode()),
                   "createCase")
    bodies = [json.dumps([{"caseId": "SEAL-1", "customers": [dict(sample, customerId=f"SEAL-{n:05}")]}]).encode()
              for n in range(CUSTOMERS)]
    started = time.perf_counter()
    answers = [post(server.port, conn, token, "addCustomer", body) for body in bodies]
    elapsed = time.perf_counter() - started
    for answer in answers:
        expect_success(*answer, "addCustomer")
    return elapsed / CUSTOMERS * 1000


def one_turn(binary, backend, options, pg, sample):
    """Every figure of one binary on fresh databases."""
    settings = {**cam_env(), **database_env(backend, pg)}
    server = Server(binary, settings)
    base = f"http://127.0.0.1:{server.port}"
    run = lambda url, **kw: wrk.run(url, connections=64, seconds=options.seconds, **kw)  # noqa: E731
    try:
        token, creator = (server.token(s, service="user-action") for s in ("bench-user", "bench-creator"))
        for operation in ("PersonalInfo/createProspectProfile", "UserAction/createPreRequirements"):
            body = json.dumps(PROFILE) if operation.startswith("Personal") else "{}"
            status, answer = request(server.port, "POST", f"{CAM}/{operation}", body, cam_headers(token))
            assert status == 200, (operation, status, answer)
        figures = {
            "createProspectProfile": run(f"{base}{CAM}/PersonalInfo/createProspectProfile", method="POST",
                                         body=json.dumps(PROFILE), headers=cam_headers(creator)),
            "getUserActions": run(f"{base}{CAM}/UserAction/getUserActions", method="POST", body='{"isPre":"true"}',
                                  headers=cam_headers(token)),
            "party create (direct)": run(f"{base}/party/v1/parties", method="POST", body=json.dumps(PARTY),
                                         headers={"X-Service-Credential": CREDENTIAL,
                                                  "Content-Type": "application/json"}),
        }
        failed = {name: f for name, f in figures.items() if f["non2xx"] or f["errors"] != "none"}
        assert not failed, f"failed requests: {failed}"
        figures = {name: f["rps"] for name, f in figures.items()}
        figures["addCustomer, ms per customer"] = add_customers(server, sample)
        return figures
    finally:
        server.stop()


def run_backend(binaries, backend, options, pg, sample):
    turns = {label: [] for label, _ in binaries}
    for _ in range(options.rounds):
        for label, binary in binaries:
            turns[label].append(one_turn(binary, backend, options, pg, sample))
    (before, _), (after, _) = binaries
    rows = []
    for name in turns[before][0]:
        b = statistics.median(t[name] for t in turns[before])
        a = statistics.median(t[name] for t in turns[after])
        unit = "ms" if "ms per" in name else "req/s"
        rows.append((f"{backend}: {name}", f"{b:9.2f} -> {a:9.2f} {unit}  (after / before {a / b:.1%})"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--before", default="2db44dd", help="the commit to compare against")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    commit, old = before_binary(options.before)
    binaries = [(commit[:7], old), ("this tree", release_binary(options.no_build))]
    with open(SEED) as seed:
        sample = json.load(seed)[0]["customers"][0]
    rows = on_each_backend(options.backend, lambda backend, pg: run_backend(binaries, backend, options, pg, sample))
    report(f"sealing's cost: {commit[:7]} (before) against this tree, release builds, median of {options.rounds}",
           [row for backend_rows in rows for row in backend_rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
