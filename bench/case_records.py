#!/usr/bin/env python3
"""Business records on the release build, on SQLite and PostgreSQL.

For each backend (`--backend sqlite|postgres|both`, default both) it starts
`target/release/onboarding serve` with fresh databases (SQLite in a
temporary DATA_DIR; PostgreSQL: a throwaway server from PG_BIN with fsync
and synchronous_commit on, a database per service), mints a development
token, then measures:

  addAccount and addTransaction: --cases x --per-case records in one
      request, against the same number one request each over one keep-alive
      connection (target: bulk per-record cost at most 1/10);
  onboarding import: --records accounts from a JSON Lines file (the whole
      command: start, the checking pass, sealing, the upserts), against a
      raw insert of the same rows into the same table in the same run: a
      multi-row INSERT with the service's pragmas on SQLite, COPY on
      PostgreSQL (targets: >= 50,000 records/s and >= 50% of the raw rate).

Python 3 standard library only (with bench/common.py). Usage:
bench/case_records.py [--no-build] [--backend both] [--records 200000]
"""

import argparse
import http.client
import hashlib
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from common import SQLITE_PRAGMAS, Server, backend_options, database_env, on_each_backend, release_binary, report, request

OPS = "/rest-api/ECMService/CaseManagementService"


def account(n, prefix="ACCT"):
    return {
        "accountId": f"{prefix}-{n:07}", "businessAdd": "N", "accountName": "Everyday savings",
        "type1": "SAV", "type2": "RET", "registrationType": "IND", "ownerTypeCode": "C",
        "taxIdFormatCode": "S", "taxId": f"{n:09}", "firmId": "F1", "taxWithHoldCode": "N",
        "jurisdictionCode": "AMEA", "businessDomainCode": "a", "houseHoldGroupId": "HH1",
        "legalEntity": "LE1", "openDate": "2020-01-15 09:30:00", "closeDate": "2024-06-30 17:00:00",
    }


def transaction(n):
    return {
        "transactionReferenceId": f"TX-{n:07}", "businessAdd": "N", "transactionTypeCode": "B",
        "accountId": "ACCT-123", "offsetAccountId": "ACCT-999", "securityId": "SEC1",
        "quantity": 10, "transactionDateTime": "2024-03-01 12:00:00",
        "debitOrCreditCode": "D", "baseAmount": 12345.67,
    }


def expect_success(status, data, what):
    answer = json.loads(data)
    if status != 200 or answer.get("STATUS") != "SUCCESS":
        sys.exit(f"{what} failed: {status} {json.dumps(answer)[:500]}")


def bulk_against_single(server, token, op, key, make, cases, per_case, rounds):
    """Medians of the per-record time in bulk and one at a time, in ms, and
    the single requests' p99."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    post = lambda op, body: request(server.port, "POST", f"{OPS}/{op}", body, headers, conn)
    total = cases * per_case
    bulk, single, latencies = [], [], []
    for r in range(rounds):
        bulk_cases = [f"{op}-B{r}-{i:03}" for i in range(cases)]
        single_cases = [f"{op}-S{r}-{i:03}" for i in range(cases)]
        expect_success(*post("createCase", json.dumps([{"caseId": c} for c in bulk_cases + single_cases]).encode()), "createCase")
        body = json.dumps([{"caseId": c, key: [make(i * per_case + n) for n in range(per_case)]}
                           for i, c in enumerate(bulk_cases)]).encode()
        started = time.perf_counter()
        answer = post(op, body)
        bulk.append((time.perf_counter() - started) / total * 1000)
        expect_success(*answer, f"bulk {op}")
        bodies = [json.dumps([{"caseId": c, key: [make(i * per_case + n)]}]).encode()
                  for i, c in enumerate(single_cases) for n in range(per_case)]
        answers = []
        started = time.perf_counter()
        for body in bodies:
            one = time.perf_counter()
            answers.append(post(op, body))
            latencies.append(time.perf_counter() - one)
        single.append((time.perf_counter() - started) / total * 1000)
        for answer in answers:
            expect_success(*answer, f"single {op}")
    latencies.sort()
    return statistics.median(bulk), statistics.median(single), latencies[int(len(latencies) * 0.99) - 1] * 1000


def raw_sqlite(path, rows):
    """Seconds to insert `rows` into business_records with multi-row INSERTs,
    5,000 a transaction, with the service's pragmas."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(SQLITE_PRAGMAS)
    per_statement = 200
    statement = "INSERT INTO business_records (kind, record_key, record_id, details, updated_at) VALUES " + \
        ",".join(["(?, ?, ?, ?, ?)"] * per_statement)
    started = time.perf_counter()
    for start in range(0, len(rows), 5000):
        db.execute("BEGIN")
        chunk = rows[start:start + 5000]
        for at in range(0, len(chunk), per_statement):
            part = chunk[at:at + per_statement]
            if len(part) == per_statement:
                db.execute(statement, [v for row in part for v in row])
            else:
                db.executemany("INSERT INTO business_records (kind, record_key, record_id, details, updated_at) "
                               "VALUES (?, ?, ?, ?, ?)", part)
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def raw_copy(pg, database, rows):
    """Seconds to COPY `rows` into business_records (psql, text format)."""
    text = "".join("\t".join(v.replace("\\", "\\\\") for v in row) + "\n" for row in rows).encode()
    started = time.perf_counter()
    pg.psql(database, "COPY business_records (kind, record_key, record_id, details, updated_at) FROM STDIN", stdin=text)
    return time.perf_counter() - started


def run_backend(binary, backend, args, pg):
    env = {"DEV_MODE": "true", "JWT_HS256_SECRET": secrets.token_hex(32), **database_env(backend, pg)}
    env["CASE_MAX_CUSTOMERS_PER_REQUEST"] = str(max(args.cases * args.per_case, 1000))
    server = Server(binary, env)
    rows = []
    try:
        token = server.token("bench", "case:write")
        for op, key, make in [("addAccount", "accounts", account), ("addTransaction", "transactions", transaction)]:
            bulk, single, p99 = bulk_against_single(server, token, op, key, make, args.cases, args.per_case, args.rounds)
            ratio = bulk / single
            rows += [
                (f"{backend}: {op} bulk / one at a time, ms per record", f"{bulk:.3f} / {single:.3f} (single p99 {p99:.2f} ms)"),
                (f"{backend}: {op} bulk cost ratio", f"{ratio:.3f} (1/{1 / ratio:.1f}): {'meets' if ratio <= 0.1 else 'MISSES'} the 1/10 target"),
            ]

        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for n in range(args.records):
                f.write(json.dumps({"kind": "account", "record": account(n, "IMP")}) + "\n")
            path = f.name
        started = time.perf_counter()
        # The server's own settings: its databases, data directory and keys.
        done = subprocess.run([binary, "import", path], env=server.env, capture_output=True, text=True)
        imported = time.perf_counter() - started
        os.unlink(path)
        if done.returncode != 0:
            sys.exit(f"import failed: {done.stderr}")
        at = "2026-11-29T00:00:00.000000Z"
        # As the service keys them: a 64-hex key (its blind index) beside the id.
        raw_rows = [("account", hashlib.sha256(f"RAW-{n:07}".encode()).hexdigest(), f"RAW-{n:07}",
                     json.dumps(account(n, "RAW")), at) for n in range(args.records)]
        if backend == "postgres":
            raw = raw_copy(pg, env["CASE_DATABASE_URL"].rsplit("/", 1)[1], raw_rows)
            baseline = "COPY"
        else:
            raw = raw_sqlite(os.path.join(server.data_dir, "case.db"), raw_rows)
            baseline = "multi-row INSERT"
        rate, raw_rate = args.records / imported, args.records / raw
        rows += [
            (f"{backend}: onboarding import, {args.records} accounts", f"{imported:.2f} s = {rate:,.0f} records/s: {'meets' if rate >= 50000 else 'MISSES'} the 50,000/s target"),
            (f"{backend}: raw {baseline} of the same rows", f"{raw:.2f} s = {raw_rate:,.0f} rows/s"),
            (f"{backend}: import / raw", f"{rate / raw_rate:.1%}: {'meets' if rate >= raw_rate / 2 else 'MISSES'} the 50% target"),
        ]
    finally:
        server.stop()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--per-case", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    binary = release_binary(args.no_build)
    rows = [row for rows in on_each_backend(args.backend, lambda backend, pg: run_backend(binary, backend, args, pg))
            for row in rows]
    report(f"business records: {args.cases} cases x {args.per_case} per request against one per request "
           f"(median of {args.rounds}); import of {args.records} accounts", rows)


if __name__ == "__main__":
    main()
