#!/usr/bin/env python3
"""The console's pages with 100,000 cases and 1,000,000 case customers
stored, on the release build, on SQLite and PostgreSQL, with wrk at 16
connections (issue 15, point 8).

For each backend (`--backend sqlite|postgres|both`, default both) it starts
`target/release/onboarding serve` with fresh databases (PostgreSQL: a
throwaway server from PG_BIN, fsync and synchronous_commit on), stores the
cases the way a bank's event feed does, through
`saveEventsAndPromoteToCase` (one case per event, each with --customers
customers, of rotating case types), then signs in to the console through
its development sign-in (after STATISTICS_SETTLE_SECS, the background
statistics' interval) and runs wrk for --seconds on each page:

- the inbox's first page (`/console/cases`);
- a filtered page (--filtered, a query string of the inbox's filters);
- a case's detail (`/console/cases/{caseId}`), of a case among the last
  stored.

Target: each under 100 ms p95 at 16 connections. Every answer must be a 200.
Storing takes minutes (about 100,000 requests); `--cases` and
`--customers` make a smaller run for trying the script.

Usage: bench/console.py [--no-build] [--backend both] [--cases 100000]
                        [--customers 10] [--seconds 10]
"""

import argparse
import html
import http.client
import json
import re
import secrets
import sys
import threading
import time
import urllib.parse

import wrk
from common import Server, backend_options, database_env, on_each_backend, release_binary, report

PROMOTE = "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndPromoteToCase"
TYPES = ("AML", "KYC", "FRAUD", "SANCTIONS")
# A little more than the minute between two runs of the background
# statistics (service-kit's SQLite task; autovacuum's naptime).
STATISTICS_SETTLE_SECS = 70
LAST_NAMES = ("DRAVID", "KOHLI", "SHARMA", "PATEL", "SINGH", "KUMAR", "GUPTA", "IYER", "RAO", "NAIR")


def event(n, customers):
    """The n-th event: a case of the n-th type, focused on its first customer."""
    ids = [f"BC{n}-{i}" for i in range(customers)]
    return {
        "events": [{
            "eventCode": f"BENCH-{n}", "type": TYPES[n % len(TYPES)], "scenarioClass": "AML",
            "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER", "custId": cid,
                          "focusFlag": "Y" if i == 0 else "N"} for i, cid in enumerate(ids)],
            "details": [{"scenarioName": "Bench"}],
        }],
        "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER", "custId": cid,
                      "customerName": f"CUSTOMER{n} {LAST_NAMES[(n + i) % len(LAST_NAMES)]}",
                      "customerType": "IND", "effectiverisk": str((n + i) % 5)}
                     for i, cid in enumerate(ids)],
    }


def store_cases(port, token, cases, customers, threads=16):
    """Promotes `cases` events over `threads` keep-alive connections; the
    case ids, in the order of the events."""
    case_ids = [None] * cases
    failures = []
    counter = iter(range(cases))
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def work():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                n = next(counter, None)
            if n is None or failures:
                return
            conn.request("POST", PROMOTE, body=json.dumps(event(n, customers)), headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                failures.append(f"event {n}: {response.status} {body[:300]!r}")
                return
            case_ids[n] = json.loads(body)["cases"][0]["caseId"]

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        sys.exit(failures[0])
    return case_ids


def sign_in(port, name):
    """A console session cookie (`name=value`) for `name` with case:read and
    case:write, through the development sign-in form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/console/auth/dev")
    response = conn.getresponse()
    page = response.read().decode()
    binding = response.getheader("Set-Cookie").split(";")[0]
    csrf = html.unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))
    form = urllib.parse.urlencode({"name": name, "case:read": "on", "case:write": "on", "csrf": csrf})
    conn.request("POST", "/console/auth/dev", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": binding,
        "Origin": f"http://127.0.0.1:{port}"})
    response = conn.getresponse()
    response.read()
    cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    session = [c for c in cookies if not c.startswith(binding.split("=")[0] + "=")]
    if response.status >= 400 or not session:
        sys.exit(f"sign-in failed: {response.status} {cookies}")
    return session[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10, help="customers per case")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--filtered", default="status=NW&type=KYC&assignee=unassigned&sort=priority&order=desc",
                        help="the filtered page's query string")
    args = parser.parse_args()
    binary = release_binary(args.no_build)

    def measure(backend, pg):
        server = Server(binary, {"DEV_MODE": "true", "JWT_HS256_SECRET": secrets.token_hex(32),
                                 "RUST_LOG": "error", **database_env(backend, pg)})
        rows = []
        try:
            token = server.token("bench", "case:write")
            started = time.time()
            case_ids = store_cases(server.port, token, args.cases, args.customers)
            took = time.time() - started
            rows.append((f"{backend}: stored {args.cases:,} cases, {args.cases * args.customers:,} customers",
                         f"{took:.0f} s ({args.cases / took:.0f} cases/s)"))
            # What a live system has a minute after a load: the planner's
            # statistics gathered in the background (PostgreSQL's
            # autovacuum, the SQLite statistics task of service-kit).
            time.sleep(STATISTICS_SETTLE_SECS)
            cookie = sign_in(server.port, "bench-analyst")
            pages = [("inbox, first page", "/console/cases"),
                     ("inbox, filtered", f"/console/cases?{args.filtered}"),
                     ("case detail", f"/console/cases/{case_ids[-1]}")]
            for label, path in pages:
                result = wrk.run(f"http://127.0.0.1:{server.port}{path}", connections=args.connections,
                                 seconds=args.seconds, headers={"Cookie": cookie})
                if result["non2xx"]:
                    sys.exit(f"{backend}: {label}: {result['non2xx']} answers were not 200")
                verdict = "meets" if result["p95_ms"] < 100 else "MISSES"
                rows.append((f"{backend}: {label}", wrk.line(result)))
                rows.append((f"{backend}: {label}, p95 against 100 ms", f"{result['p95_ms']:.2f} ms: {verdict}"))
        finally:
            server.stop()
        return rows

    rows = [row for rows in on_each_backend(args.backend, measure) for row in rows]
    report(f"The console with {args.cases:,} cases of {args.customers} customers each, "
           f"{args.connections} connections, {args.seconds} s a page", rows)


if __name__ == "__main__":
    main()
