#!/usr/bin/env python3
"""user-action-service under load, against the release build, on SQLite
and PostgreSQL (`--backend sqlite|postgres|both`, default both), with 64
connections (wrk). For each backend, every ratio's baseline is measured in
the same run:

- getUserActions vs /health/live          (target: >= 40% of its throughput;
                                            PostgreSQL: p99 <= 10 ms too),
  by one caller on every connection, and by as many callers as
  connections, each listing their own application in turn (against
  /health/live through the same wrk script)
- createProspectProfile vs party-service's direct create
                                           (target: >= 50% of its throughput)
- party-service's direct create vs the database's own one-row insert
  ceiling: pgbench at 16 clients on PostgreSQL, a single-row insert loop on
  the same SQLite file with the services' pragmas
                                           (target: >= 50%)
- getUserActions latency with 1,000,000 stored actions vs with 10,000
                                           (target: within 1.5x)

The stored actions are added straight into the service's database while
the server is stopped (the API would take hours to make a million).
PostgreSQL is a throwaway server from PG_BIN with fsync and
synchronous_commit on, a database per service (bench/common.py).

Usage: bench/user_action_load.py [--no-build] [--backend both] [--seconds S] [--connections C]
"""

import argparse
import json
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrk  # noqa: E402
from common import (CAM, CREDENTIAL, Server, backend_options, cam_env, cam_headers, database_env,  # noqa: E402
                    on_each_backend, release_binary, report, request, sqlite_inserts)

PGBENCH_CLIENTS = 16


PROFILE = {"FirstName": "Virat", "LastName": "Kohli", "DateOfBirth": "1985-10-10", "Email": "kanand@temenos.com",
           "MobileCountryCode": "+91", "MobileNumber": "9994305648", "ApplicantType": "Applicant"}
PARTY = {"kind": "person", "firstName": "Virat", "lastName": "Kohli", "dateOfBirth": "1985-10-10",
         "contactPoints": [{"channel": "email", "value": "kanand@temenos.com"}, {"channel": "phone", "value": "+919994305648"}]}
FILLED_AT = "2026-01-01T00:00:00.000000Z"


def fill_sqlite(data_dir, total):
    """Adds filler applications and actions until user-action's SQLite
    database holds `total` actions; how many it holds. Filler application
    ids are eight characters (`F0000123`), so none can be one the service
    made (seven upper-case letters or digits): `F` and six digits could,
    and once did, stopping the run on a taken id."""
    db = sqlite3.connect(os.path.join(data_dir, "user-action.db"))
    have = db.execute("SELECT COUNT(*) FROM user_actions").fetchone()[0]
    missing = total - have
    if missing > 0:
        apps = (missing + 5) // 6
        start = db.execute("SELECT COUNT(*) FROM applications").fetchone()[0]
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(f"""
            WITH RECURSIVE n(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM n WHERE i < {start + apps - 1})
            INSERT INTO applications (id, owner_subject, main_party_id, status, created_at, updated_at)
                SELECT printf('F%07d', i), 'filler-' || i, printf('%010d', 1000000000 + i), 'InProgress',
                '{FILLED_AT}', '{FILLED_AT}' FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {missing - 1})
            INSERT INTO user_actions (id, identifier, application_id, name, party_id, entity_id, status, response,
                is_pre_requirement, position, last_update_id, version, created_at, updated_at)
                SELECT printf('CA%012d', 100000000000 + {have} + i),
                printf('Filler_%010d_F%07d_%d', 1000000000 + {start} + i / 6, {start} + i / 6, i % 6),
                printf('F%07d', {start} + i / 6), 'ProofOfIncomeEmployed', printf('%010d', 1000000000 + {start} + i / 6),
                printf('%024x', {start} + i / 6), 'Created', '', 1, i % 6, NULL, 1, '{FILLED_AT}', '{FILLED_AT}' FROM n;
        """)
        db.commit()
    count = db.execute("SELECT COUNT(*) FROM user_actions").fetchone()[0]
    db.close()
    return count


def fill_postgres(pg, database, total):
    """The same filler on PostgreSQL; how many actions the database holds."""
    have = int(pg.psql(database, "SELECT COUNT(*) FROM user_actions"))
    missing = total - have
    if missing > 0:
        apps = (missing + 5) // 6
        start = int(pg.psql(database, "SELECT COUNT(*) FROM applications"))
        app = f"'F' || lpad(({start} + i / 6)::text, 7, '0')"
        party = f"(1000000000 + {start} + i / 6)::text"
        pg.psql(database, f"""
            INSERT INTO applications (id, owner_subject, main_party_id, status, created_at, updated_at)
                SELECT 'F' || lpad(i::text, 7, '0'), 'filler-' || i, (1000000000 + i)::text, 'InProgress',
                '{FILLED_AT}', '{FILLED_AT}' FROM generate_series({start}, {start + apps - 1}) i;
            INSERT INTO user_actions (id, identifier, application_id, name, party_id, entity_id, status, response,
                is_pre_requirement, position, last_update_id, version, created_at, updated_at)
                SELECT 'CA' || (100000000000 + {have} + i)::text, 'Filler_' || {party} || '_' || {app} || '_' || (i % 6),
                {app}, 'ProofOfIncomeEmployed', {party}, lpad(to_hex({start} + i / 6), 24, '0'), 'Created', '',
                true, i % 6, NULL, 1, '{FILLED_AT}', '{FILLED_AT}' FROM generate_series(0, {missing - 1}) i;
            ANALYZE applications; ANALYZE user_actions;
        """)
    return int(pg.psql(database, "SELECT COUNT(*) FROM user_actions"))


def run_backend(binary, backend, options, pg):
    """Every measurement on one backend; (report rows, targets met)."""
    settings = {**cam_env(), **database_env(backend, pg)}
    run = lambda url, **kw: wrk.run(url, connections=options.connections, seconds=options.seconds, **kw)  # noqa: E731

    server = Server(binary, settings)
    base = f"http://127.0.0.1:{server.port}"
    results = {}
    try:
        token, creator = server.token("bench-user", service="user-action"), server.token("bench-creator", service="user-action")
        status, _ = request(server.port, "POST", f"{CAM}/PersonalInfo/createProspectProfile", json.dumps(PROFILE), cam_headers(token))
        assert status == 200, status
        status, _ = request(server.port, "POST", f"{CAM}/UserAction/createPreRequirements", "{}", cam_headers(token))
        assert status == 200, status
        # As many callers as connections, each with an application of their
        # own, listing in turn.
        callers = [server.token(f"bench-caller-{n}", service="user-action") for n in range(options.connections)]
        for caller in callers:
            for operation, body in (("PersonalInfo/createProspectProfile", json.dumps(PROFILE)), ("UserAction/createPreRequirements", "{}")):
                status, _ = request(server.port, "POST", f"{CAM}/{operation}", body, cam_headers(caller))
                assert status == 200, status
        results["health"] = run(f"{base}/health/live")
        results["get_actions"] = run(f"{base}{CAM}/UserAction/getUserActions", method="POST", body='{"isPre":"true"}', headers=cam_headers(token))
        # wrk picks each request's caller in Lua, which costs the load
        # generator (on the same cores) a few microseconds a request: the
        # ratio's baseline is /health/live through the same script.
        rotation = [cam_headers(c) for c in callers]
        results["health_callers"] = run(f"{base}/health/live", header_sets=rotation)
        results["get_actions_callers"] = run(f"{base}{CAM}/UserAction/getUserActions", method="POST", body='{"isPre":"true"}',
                                             headers=cam_headers(token), header_sets=rotation)
        results["create_profile"] = run(f"{base}{CAM}/PersonalInfo/createProspectProfile", method="POST", body=json.dumps(PROFILE), headers=cam_headers(creator))
        results["party_create"] = run(f"{base}/party/v1/parties", method="POST", body=json.dumps(PARTY),
                                      headers={"X-Service-Credential": CREDENTIAL, "Content-Type": "application/json"})
        if backend == "postgres":
            ceiling = pg.pgbench_inserts(settings["PARTY_DATABASE_URL"].rsplit("/", 1)[1], PGBENCH_CLIENTS, options.seconds)
            ceiling_name = f"pgbench one-row INSERT, {PGBENCH_CLIENTS} clients"
        else:
            ceiling = sqlite_inserts(os.path.join(server.data_dir, "party.db"), options.seconds)
            ceiling_name = "single-row INSERT loop, same file and pragmas"
    finally:
        server.stop(keep_data=True)

    data_dir = server.data_dir
    scale = {}
    try:
        for total in (10_000, 1_000_000):
            if backend == "postgres":
                stored = fill_postgres(pg, settings["USER_ACTION_DATABASE_URL"].rsplit("/", 1)[1], total)
            else:
                stored = fill_sqlite(data_dir, total)
            # Filler rows are written as rows from before sealing were: the
            # first start seals them (user-action's start-up pass) before it
            # serves, which takes a while for a million.
            again = Server(binary, settings, data_dir=data_dir, ready_within=1800)
            try:
                scale[total] = (stored, run(f"http://127.0.0.1:{again.port}{CAM}/UserAction/getUserActions", method="POST",
                                            body='{"isPre":"true"}', headers=cam_headers(token)))
            finally:
                again.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    get_ratio = results["get_actions"]["rps"] / results["health"]["rps"]
    callers_ratio = results["get_actions_callers"]["rps"] / results["health_callers"]["rps"]
    callers_p99 = results["get_actions_callers"]["p99_ms"]
    create_ratio = results["create_profile"]["rps"] / results["party_create"]["rps"]
    ceiling_ratio = results["party_create"]["rps"] / ceiling
    small, large = scale[10_000][1], scale[1_000_000][1]
    latency_ratio = large["p50_ms"] / small["p50_ms"]
    p99_ratio = large["p99_ms"] / small["p99_ms"]
    get_p99 = results["get_actions"]["p99_ms"]
    verdict = lambda ok: "meets" if ok else "MISSES"  # noqa: E731
    checks = {
        "get": all(ratio >= 0.40 and (backend == "sqlite" or p99 <= 10)
                   for ratio, p99 in ((get_ratio, get_p99), (callers_ratio, callers_p99))),
        "create": create_ratio >= 0.50,
        "ceiling": ceiling_ratio >= 0.50,
        "scale": latency_ratio <= 1.5,
    }
    rows = [
        (f"{backend}: /health/live", wrk.line(results["health"])),
        (f"{backend}: getUserActions", wrk.line(results["get_actions"])),
        (f"{backend}: /health/live, callers' script", wrk.line(results["health_callers"])),
        (f"{backend}: getUserActions, {options.connections} callers", wrk.line(results["get_actions_callers"])),
        (f"{backend}: createProspectProfile", wrk.line(results["create_profile"])),
        (f"{backend}: party-service create (direct)", wrk.line(results["party_create"])),
        (f"{backend}: {ceiling_name}", f"{ceiling:9.0f} rows/s"),
        (f"{backend}: getUserActions, {scale[10_000][0]} actions stored", wrk.line(small)),
        (f"{backend}: getUserActions, {scale[1_000_000][0]} actions stored", wrk.line(large)),
        (f"{backend}: getUserActions / health", f"{get_ratio:.1%}, p99 {get_p99:.1f} ms; {options.connections} callers "
         f"{callers_ratio:.1%}, p99 {callers_p99:.1f} ms (target >= 40%"
         f"{', p99 <= 10 ms' if backend == 'postgres' else ''}, both): {verdict(checks['get'])}"),
        (f"{backend}: createProspectProfile / party create", f"{create_ratio:.1%} (target >= 50%): {verdict(checks['create'])}"),
        (f"{backend}: party create / insert ceiling", f"{ceiling_ratio:.1%} (target >= 50%): {verdict(checks['ceiling'])}"),
        (f"{backend}: latency 1M / 10k (p50, p99)", f"{latency_ratio:.2f}x, {p99_ratio:.2f}x (target <= 1.5x): {verdict(checks['scale'])}"),
    ]
    errors = sum(r["non2xx"] for r in list(results.values()) + [small, large])
    rows.append((f"{backend}: non-2xx answers", str(errors)))
    return rows, all(checks.values()) and errors == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    backend_options(parser)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    options = parser.parse_args()
    binary = release_binary(options.no_build)
    results = on_each_backend(options.backend, lambda backend, pg: run_backend(binary, backend, options, pg))
    rows = [row for rows, _ in results for row in rows]
    ok = all(met for _, met in results)
    report(f"user-action-service, release build, {options.connections} connections, {options.seconds} s each", rows)
    print("\nresult:", "targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
