#!/usr/bin/env python3
"""addCustomer in bulk against one customer per request, on the release build.

For each backend (`--backend sqlite|postgres|both`, default both) it builds
(unless --no-build) and starts `target/release/onboarding serve` on a free
loopback port with fresh databases (SQLite in a temporary DATA_DIR;
PostgreSQL: a throwaway server from PG_BIN with fsync and
synchronous_commit on, a database per service), mints a development token,
creates the cases, then times:

  bulk:          10 cases x 100 customers in one request;
  one at a time: the same 1,000 customers, one request each, over one
                 keep-alive connection (to a second set of cases);

each --rounds times (default 3, fresh cases each round), reporting medians.
Request bodies are encoded before the clock starts and answers decoded
after it stops, for both, so the times are the HTTP exchanges and the
server's work, not this script's JSON (encoding the 2 MB bulk body alone
takes tens of milliseconds in Python).

Each customer is the vendor's full sample customer with its own id. Prints
the per-customer cost of each, their ratio (target: bulk at most 1/10 of one
at a time) and the latency percentiles of the single requests.

Python 3 standard library only (with bench/common.py). Usage:
bench/case_add_customer.py [--no-build] [--backend both] [--cases 10] [--per-case 100] [--rounds 3]
"""

import argparse
import http.client
import json
import os
import secrets
import statistics
import sys
import time

from common import ROOT, Server, backend_options, database_env, on_each_backend, percentile, release_binary, report, request

SEED = os.path.join(ROOT, "services", "case", "tests", "api", "seed_request.json")
OPS = "/rest-api/ECMService/CaseManagementService"


def post(port, conn, token, op, body):
    """POSTs the JSON bytes `body` to the ECM operation `op` on the keep-alive
    `conn`; the status and the answer's bytes."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return request(port, "POST", f"{OPS}/{op}", body, headers, conn)


def expect_success(status, data, what):
    answer = json.loads(data)
    if status != 200 or answer.get("STATUS") != "SUCCESS":
        sys.exit(f"{what} failed: {status} {json.dumps(answer)[:500]}")


def run_backend(binary, backend, args, pg, sample):
    """Both ways of adding the customers on one backend; the report's rows."""
    total = args.cases * args.per_case
    settings = {"DEV_MODE": "true", "JWT_HS256_SECRET": secrets.token_hex(32),
                "CASE_MAX_CUSTOMERS_PER_REQUEST": str(max(total, 1000)), **database_env(backend, pg)}
    server = Server(binary, settings)
    try:
        token = server.token("bench", "case:write")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        call = lambda op, body: post(server.port, conn, token, op, json.dumps(body).encode())  # noqa: E731
        bulk_runs, single_runs, latencies = [], [], []
        for r in range(args.rounds):
            bulk_cases = [f"BULK-{r}-{i:03}" for i in range(args.cases)]
            single_cases = [f"ONE-{r}-{i:03}" for i in range(args.cases)]
            expect_success(*call("createCase", [{"caseId": c} for c in bulk_cases + single_cases]), "createCase")

            def customer(case, n):
                return dict(sample, customerId=f"CUST-{case:03}-{n:04}")

            bulk_body = json.dumps([
                {"caseId": case_id, "customers": [customer(i, n) for n in range(args.per_case)]}
                for i, case_id in enumerate(bulk_cases)
            ]).encode()
            started = time.perf_counter()
            answer = post(server.port, conn, token, "addCustomer", bulk_body)
            bulk_runs.append(time.perf_counter() - started)
            expect_success(*answer, "the bulk request")

            single_bodies = [
                (f"customer {n} of {case_id}", json.dumps([{"caseId": case_id, "customers": [customer(i, n)]}]).encode())
                for i, case_id in enumerate(single_cases)
                for n in range(args.per_case)
            ]
            answers = []
            started = time.perf_counter()
            for _, body in single_bodies:
                one = time.perf_counter()
                answers.append(post(server.port, conn, token, "addCustomer", body))
                latencies.append(time.perf_counter() - one)
            single_runs.append(time.perf_counter() - started)
            for (what, _), answer in zip(single_bodies, answers):
                expect_success(*answer, what)
    finally:
        server.stop()

    bulk_seconds, single_seconds = statistics.median(bulk_runs), statistics.median(single_runs)
    bulk_each = bulk_seconds / total * 1000
    single_each = single_seconds / total * 1000
    ms = lambda s: f"{s * 1000:.2f} ms"  # noqa: E731
    ratio = bulk_each / single_each
    runs = lambda xs: ", ".join(f"{x * 1000 / total:.3f}" for x in xs)  # noqa: E731
    return [
        (f"{backend}: bulk, ms per customer, each round", runs(bulk_runs)),
        (f"{backend}: one at a time, ms per customer, each round", runs(single_runs)),
        (f"{backend}: bulk, one request", f"{bulk_seconds:.3f} s = {bulk_each:.3f} ms per customer ({total / bulk_seconds:.0f}/s)"),
        (f"{backend}: one request per customer (keep-alive)", f"{single_seconds:.3f} s = {single_each:.3f} ms per customer ({total / single_seconds:.0f}/s)"),
        (f"{backend}: single-request latency p50 / p95 / p99", f"{ms(percentile(latencies, 50))} / {ms(percentile(latencies, 95))} / {ms(percentile(latencies, 99))}"),
        (f"{backend}: single-request latency mean / max", f"{ms(statistics.mean(latencies))} / {ms(max(latencies))}"),
        (f"{backend}: bulk / one-at-a-time per-customer cost", f"{ratio:.3f} (1/{1 / ratio:.1f}): {'meets' if ratio <= 0.1 else 'MISSES'} the 1/10 target"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--per-case", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="repeat both and report the medians")
    args = parser.parse_args()
    binary = release_binary(args.no_build)
    with open(SEED) as seed:
        sample = json.load(seed)[0]["customers"][0]
    rows = [row for rows in on_each_backend(args.backend, lambda backend, pg: run_backend(binary, backend, args, pg, sample))
            for row in rows]
    report(f"addCustomer: {args.cases * args.per_case} customers ({args.cases} cases x {args.per_case}), "
           f"the vendor's full sample customer each; median of {args.rounds} rounds", rows)


if __name__ == "__main__":
    main()
