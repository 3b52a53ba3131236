#!/usr/bin/env python3
"""Server memory while issue 17's two memory attacks run, against the
release build on each backend (a fresh server per attack, so each peak is
its own):

- metrics: 2,000+ requests with made-up 8 KB HTTP methods on unmatched
  routes, then a /metrics scrape (with the internal credential, which the
  service port asks for). Budget: peak RSS < 100 MB, /metrics < 1 MB.
- getDocument: the largest answer the limits allow (an action full of
  files of the largest size, USER_ACTION_MAX_DOCUMENTS_PER_ACTION x
  DOCUMENT_MAX_BYTES), four at once. Budget: peak RSS during the calls
  < 150 MB (each answer is ~56 MB of JSON: rendered whole, four would need
  over 400 MB).

RSS is sampled from /proc/PID/status (VmRSS) every 10 ms while an attack
runs; VmHWM (the process's own peak, startup included) is shown beside it.
The action is filled by one server and read by a fresh one on the same
data, so the uploads' memory is not counted as the reads'. Exits non-zero when a figure is over its budget.

Usage: bench/memory.py [--backend sqlite|postgres|both] [--no-build]
                       [--requests N]
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import random
import shutil
import string
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CAM, CREDENTIAL, Server, backend_options, cam_env, cam_headers, database_env,  # noqa: E402
                    on_each_backend, release_binary, report, request)

MB = 1000 * 1000
METRICS_RSS_BUDGET, METRICS_SIZE_BUDGET = 100 * MB, 1 * MB
DOCUMENT_RSS_BUDGET = 150 * MB
# The defaults of DOCUMENT_MAX_BYTES and USER_ACTION_MAX_DOCUMENTS_PER_ACTION.
FILE_BYTES, FILES = 2 * 1024 * 1024, 20
# Files per uploadDocument: five 2 MiB files, base64, stay under
# USER_ACTION_UPLOAD_MAX_BYTES (16 MiB).
PER_UPLOAD = 5


class Sampler:
    """Samples a process's VmRSS until stopped; the peak, in bytes."""

    def __init__(self, server):
        self.server, self.peak, self.running = server, 0, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            self.peak = max(self.peak, self.server.rss_kib()[0] * 1024)
            time.sleep(0.01)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak


def odd_method(rng):
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(8 * 1024))


def metrics_attack(server, requests):
    """Made-up methods on unmatched routes, then one scrape: (statuses seen,
    /metrics status and size)."""
    def send(i):
        rng = random.Random(i)
        try:
            status, _ = request(server.port, odd_method(rng), f"/no-such-route/{i}/{rng.random()}")
            return status
        except (OSError, http.client.HTTPException):
            return "refused"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(requests)))
    status, body = request(server.port, "GET", "/metrics", headers={"X-Service-Credential": CREDENTIAL})
    seen = {}
    for s in statuses:
        seen[s] = seen.get(s, 0) + 1
    return seen, status, len(body)


def cam(server, token, operation, body):
    status, data = request(server.port, "POST", f"{CAM}/{operation}", json.dumps(body).encode(), cam_headers(token))
    if status != 200:
        raise RuntimeError(f"{operation}: {status} {data[:300]!r}")
    return json.loads(data)


def fill_action(server, token):
    """An application whose ProofOfIncomeEmployed action holds as many of
    the largest files as it may; its identifier."""
    created = cam(server, token, "PersonalInfo/createProspectProfile", {
        "FirstName": "Bench", "LastName": "Memory", "DateOfBirth": "1990-01-31",
        "Email": "bench@example.com", "MobileCountryCode": "+44", "MobileNumber": "7700900123"})
    cam(server, token, "UserAction/createPreRequirements", {})
    action = f"ProofOfIncomeEmployed_{created['Party_Id']}_{created['Application_id']}"
    for batch in range(FILES // PER_UPLOAD):
        files = []
        for i in range(PER_UPLOAD):
            content = b"%PDF-1.4\n" + os.urandom(FILE_BYTES - 9)
            files.append({"fileName": f"f{batch}-{i}.pdf", "fileType": "application/pdf", "fileInfo": "",
                          "fileContents": base64.b64encode(content).decode()})
        cam(server, token, "UserAction/uploadDocument", {"UserActionIdentifier": action, "Response": files})
    return action


def document_attack(server, token, action, concurrent_calls=4):
    """`concurrent_calls` getDocuments at once; the size of each answer."""
    body = json.dumps({"UserActionIdentifier": action}).encode()
    headers = cam_headers(token)

    def one(_):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        conn.request("POST", f"{CAM}/UserAction/getDocument", body=body, headers=headers)
        response = conn.getresponse()
        size = 0
        while True:
            piece = response.read(1 << 20)
            if not piece:
                break
            size += len(piece)
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"getDocument: {response.status}")
        return size
    with concurrent.futures.ThreadPoolExecutor(concurrent_calls) as pool:
        return list(pool.map(one, range(concurrent_calls)))


def measure(binary, backend, pg, requests):
    """Both attacks on one backend; what went over its budget."""
    over = []
    server = Server(binary, {**cam_env(), **database_env(backend, pg)})
    try:
        sampler = Sampler(server)
        seen, metrics_status, metrics_size = metrics_attack(server, requests)
        peak = sampler.stop()
        hwm = server.rss_kib()[1] * 1024
    finally:
        server.stop()
    report(f"metrics attack, {backend}", [
        ("requests (answers by status)", f"{requests} {seen}"),
        ("/metrics answer", f"{metrics_status}, {metrics_size / 1000:.1f} kB (budget < {METRICS_SIZE_BUDGET / MB:.0f} MB)"),
        ("peak RSS during the attack", f"{peak / MB:.1f} MB (budget < {METRICS_RSS_BUDGET / MB:.0f} MB)"),
        ("VmHWM", f"{hwm / MB:.1f} MB"),
    ])
    if metrics_status != 200 or metrics_size >= METRICS_SIZE_BUDGET:
        over.append(f"{backend}: /metrics {metrics_status}, {metrics_size} bytes")
    if peak >= METRICS_RSS_BUDGET:
        over.append(f"{backend}: metrics attack peak RSS {peak / MB:.1f} MB")

    # Filled by one server, read by a fresh one on the same data: the
    # uploads' memory is not counted as the reads'.
    extra = {**cam_env(), **database_env(backend, pg)}
    filler = Server(binary, extra)
    try:
        token = filler.token("bench-memory", service="user-action")
        action = fill_action(filler, token)
    finally:
        filler.stop(keep_data=True)
    server = Server(binary, extra, data_dir=filler.data_dir)
    try:
        before = server.rss_kib()[0] * 1024
        sampler = Sampler(server)
        sizes = document_attack(server, token, action)
        peak = sampler.stop()
        hwm = server.rss_kib()[1] * 1024
    finally:
        server.stop()
        shutil.rmtree(filler.data_dir, ignore_errors=True)
    report(f"getDocument attack, {backend}", [
        ("files on the action", f"{FILES} x {FILE_BYTES} bytes"),
        ("answers (4 at once)", ", ".join(f"{s / MB:.1f} MB" for s in sizes)),
        ("RSS before the calls", f"{before / MB:.1f} MB"),
        ("peak RSS during the calls", f"{peak / MB:.1f} MB (budget < {DOCUMENT_RSS_BUDGET / MB:.0f} MB)"),
        ("VmHWM", f"{hwm / MB:.1f} MB"),
    ])
    if peak >= DOCUMENT_RSS_BUDGET:
        over.append(f"{backend}: getDocument peak RSS {peak / MB:.1f} MB")
    return over


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    backend_options(parser)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    binary = release_binary(args.no_build)
    over = [line for lines in on_each_backend(args.backend, lambda backend, pg: measure(binary, backend, pg, args.requests))
            for line in lines]
    if over:
        print("\nover budget:\n  " + "\n  ".join(over))
        sys.exit(1)
    print("\nwithin budget")

if __name__ == "__main__":
    main()
