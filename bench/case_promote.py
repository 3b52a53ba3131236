#!/usr/bin/env python3
"""saveEventsAndPromoteToCase of the vendor's appendix C sample on the
release build, on SQLite and PostgreSQL, with wrk at 16 connections.

For each backend (`--backend sqlite|postgres|both`, default both) it starts
`target/release/onboarding serve` with fresh databases (PostgreSQL: a
throwaway server from PG_BIN, fsync and synchronous_commit on), mints a
development token, then runs wrk for --seconds: every request is the
sample with its own eventCode, so each opens a case with the sample's
customer (target: p99 under 20 ms). Every answer must be a 200.

Usage: bench/case_promote.py [--no-build] [--backend both] [--seconds 10]
"""

import argparse
import json
import os
import secrets
import sys

import wrk
from common import ROOT, Server, backend_options, database_env, on_each_backend, release_binary, report

SAMPLE = os.path.join(ROOT, "services", "case", "tests", "api", "events_sample.json")
PATH = "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndPromoteToCase"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    binary = release_binary(args.no_build)
    with open(SAMPLE) as f:
        sample = json.load(f)
    sample["events"][0]["eventCode"] = "BENCH-__UNIQUE__"
    body = json.dumps(sample)

    def measure(backend, pg):
        server = Server(binary, {"DEV_MODE": "true", "JWT_HS256_SECRET": secrets.token_hex(32), **database_env(backend, pg)})
        try:
            token = server.token("bench", "case:write")
            result = wrk.run(
                f"http://127.0.0.1:{server.port}{PATH}", connections=args.connections,
                seconds=args.seconds, method="POST", body=body, unique="__UNIQUE__",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
        finally:
            server.stop()
        if result["non2xx"]:
            sys.exit(f"{backend}: {result['non2xx']} answers were not 200")
        verdict = "meets" if result["p99_ms"] < 20 else "MISSES"
        return [(f"{backend}: promote at {args.connections} connections", wrk.line(result)),
                (f"{backend}: p99 against the 20 ms target", f"{result['p99_ms']:.2f} ms: {verdict}")]

    rows = [row for rows in on_each_backend(args.backend, measure) for row in rows]
    report(f"saveEventsAndPromoteToCase, the appendix C sample with its own eventCode each, {args.seconds} s", rows)

if __name__ == "__main__":
    main()
