#!/usr/bin/env python3
"""document-service: store and download 1 MiB documents in the local
directory store, with the metadata on SQLite and on PostgreSQL
(`--backend sqlite|postgres|both`, default both), against the raw write
and read speed of the same directory (dd), measured in the same run; and
the server's peak memory.

Targets (issue 3): uploads at >= 25% of raw write throughput; peak RSS under
64 MiB + 3 x the size limit x concurrent uploads.

document-service fsyncs each file before its metadata says it is stored
(the durability S3 gives), so its raw-write baseline is dd with
conv=fdatasync; dd into the page cache alone is reported beside it.

Usage: bench/document_throughput.py [--no-build] [--backend both] [--documents N] [--concurrency C]
"""

import argparse
import base64
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CREDENTIAL, Server, backend_options, database_env, dumps, on_each_backend, percentile,  # noqa: E402
                    release_binary, report)

MIB = 1024 * 1024
LIMIT = 2 * MIB


def dd_mib_per_s(args):
    """Runs dd and returns the MiB/s it reports."""
    out = subprocess.run(["dd", *args], capture_output=True, text=True, check=True).stderr
    match = re.search(r"copied, ([\d.]+) s", out)
    seconds = float(match.group(1))
    size = int(re.search(r"^(\d+) bytes", out, re.M).group(1))
    return size / MIB / seconds


def pdf(i):
    header = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    return header + os.urandom(MIB - len(header) - 8) + i.to_bytes(8, "big")


def run_pool(count, concurrency, work):
    """Runs work(connection, i) for i in range(count) on `concurrency` keep-alive connections."""
    latencies, errors = [], []
    lock = threading.Lock()
    next_index = iter(range(count))

    def worker():
        conn = None
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            conn = conn or http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            started = time.perf_counter()
            ok = work(conn, i)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(i)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors


def run_backend(binary, backend, options, pg):
    """Uploads, downloads and the raw baselines on one backend (the
    metadata's database; content stays in the local directory); the
    report's rows and whether the targets are met."""
    global PORT
    settings = {"DOCUMENT_MAX_BYTES": str(LIMIT), **database_env(backend, pg)}
    server = Server(binary, settings)
    PORT = server.port
    headers = {
        "X-Service-Credential": CREDENTIAL,
        "X-Owner-System": "bench",
        "X-Owner-Subject": "bench-user",
        "Content-Type": "application/json",
    }
    try:
        contents = [pdf(i) for i in range(options.documents)]
        bodies = [
            dumps({"reference": "bench", "fileName": f"doc{i}.pdf", "fileType": "application/pdf",
                   "fileInfo": "", "fileClientId": i, "fileContents": base64.b64encode(c).decode()})
            for i, c in enumerate(contents)
        ]
        ids = [None] * options.documents

        def upload(conn, i):
            conn.request("POST", "/document/v1/documents", body=bodies[i], headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 201:
                return False
            ids[i] = re.search(rb'"id":"([^"]+)"', data).group(1).decode()
            return True

        def download(conn, i):
            conn.request("GET", f"/document/v1/documents/{ids[i]}/content", headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status == 200 and hashlib.sha256(data).digest() == hashlib.sha256(contents[i]).digest()

        up_seconds, up_latencies, up_errors = run_pool(options.documents, options.concurrency, upload)
        down_seconds, down_latencies, down_errors = run_pool(options.documents, options.concurrency, download)
        _, peak_kib = server.rss_kib()

        scratch = os.path.join(server.data_dir, "documents", "dd-scratch")
        total_mib = options.documents
        raw_write = dd_mib_per_s(["if=/dev/zero", f"of={scratch}", "bs=1M", f"count={total_mib}"])
        raw_write_synced = dd_mib_per_s(["if=/dev/zero", f"of={scratch}", "bs=1M", f"count={total_mib}", "conv=fdatasync"])
        raw_read = dd_mib_per_s([f"if={scratch}", "of=/dev/null", "bs=1M"])
        os.remove(scratch)
    finally:
        server.stop()

    upload_rate = options.documents / up_seconds
    download_rate = options.documents / down_seconds
    budget_mib = 64 + 3 * (LIMIT / MIB) * options.concurrency
    rows = [
        (f"{backend}: upload throughput (MiB/s of content)", f"{upload_rate:.1f}"),
        (f"{backend}: upload latency p50 / p99 (ms)", f"{percentile(up_latencies, 50) * 1000:.1f} / {percentile(up_latencies, 99) * 1000:.1f}"),
        (f"{backend}: download throughput (MiB/s)", f"{download_rate:.1f}"),
        (f"{backend}: download latency p50 / p99 (ms)", f"{percentile(down_latencies, 50) * 1000:.1f} / {percentile(down_latencies, 99) * 1000:.1f}"),
        (f"{backend}: raw write, dd (MiB/s)", f"{raw_write:.1f}"),
        (f"{backend}: raw write + fdatasync, dd (MiB/s)", f"{raw_write_synced:.1f}"),
        (f"{backend}: raw read, dd (MiB/s)", f"{raw_read:.1f}"),
        (f"{backend}: upload / raw durable write", f"{upload_rate / raw_write_synced:.1%} (target >= 25%)"),
        (f"{backend}: upload / raw page-cache write", f"{upload_rate / raw_write:.1%}"),
        (f"{backend}: download / raw read", f"{download_rate / raw_read:.1%}"),
        (f"{backend}: peak RSS (MiB)", f"{peak_kib / 1024:.1f} (budget {budget_mib:.0f})"),
        (f"{backend}: errors (upload, download)", f"{len(up_errors)}, {len(down_errors)}"),
    ]
    ok = not up_errors and not down_errors and upload_rate / raw_write_synced >= 0.25 and peak_kib / 1024 < budget_mib
    return rows, ok


def main():
    parser = argparse.ArgumentParser()
    backend_options(parser)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()
    binary = release_binary(options.no_build)
    results = on_each_backend(options.backend, lambda backend, pg: run_backend(binary, backend, options, pg))
    rows = [row for rows, _ in results for row in rows]
    ok = all(met for _, met in results)
    report(f"document-service, {options.documents} 1 MiB PDFs x {options.concurrency} at once, local directory content", rows)
    print("\nresult:", "targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
