"""Running wrk from the benchmark scripts: a POST with a JSON body and
headers through a generated Lua script, and the figures wrk reports."""

import json
import os
import re
import subprocess
import tempfile

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    match = re.match(r"([\d.]+)(us|ms|s|m)", text)
    return float(match.group(1)) * UNITS[match.group(2)]


def run(url, connections=64, seconds=10, method="GET", body=None, headers=None, threads=2, unique=None,
        header_sets=None):
    """Runs wrk; returns {"rps", "p50_ms", "p95_ms", "p99_ms", "non2xx", "errors"}.
    With `unique`, each request's body has that placeholder replaced by a
    value no other request of the run has (`<thread>-<n>`). With
    `header_sets` (a list of dicts), each request carries the next set in
    turn on top of `headers`: many callers, each with their own token."""
    assert unique is None or header_sets is None, "one request() at a time"
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    # Always a script: wrk prints no p95 of its own, so its `done` does.
    script = [f'wrk.method = "{method}"']
    if body is not None:
        script.append(f"wrk.body = {json.dumps(body)}")
    for name, value in (headers or {}).items():
        script.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    if unique is not None:
        script.append(
            "local threads = 0\n"
            "function setup(thread)\n"
            "  threads = threads + 1\n"
            "  thread:set(\"tid\", threads)\n"
            "end\n"
            "local n = 0\n"
            "function request()\n"
            "  n = n + 1\n"
            f"  local body = string.gsub(wrk.body, {json.dumps(unique)}, tid .. \"-\" .. n)\n"
            "  return wrk.format(nil, nil, nil, body)\n"
            "end"
        )
    if header_sets:
        sets = ", ".join(
            "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in {**(headers or {}), **one}.items()) + "}"
            for one in header_sets
        )
        script.append(
            f"local sets = {{{sets}}}\n"
            "local n = 0\n"
            "function request()\n"
            "  n = n + 1\n"
            "  return wrk.format(nil, nil, sets[(n % #sets) + 1], nil)\n"
            "end"
        )
    if method != "GET" or body is not None or headers:
        script.append(
            "responses = {}\n"
            "function response(status, headers, body)\n"
            "  local key = tostring(status)\n"
            "  responses[key] = (responses[key] or 0) + 1\n"
            "end"
        )
    # Called once, at the end: costs the load generator nothing per request.
    script.append(
        "function done(summary, latency, requests)\n"
        "  io.write(string.format(\"p95_us: %d\\n\", latency:percentile(95)))\n"
        "end"
    )
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write("\n".join(script) + "\n")
    lua.close()
    args += ["-s", lua.name]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    p95 = int(re.search(r"p95_us: (\d+)", out).group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(1) if errors else "none",
    }


def line(result):
    return (f"{result['rps']:9.0f} req/s   p50 {result['p50_ms']:7.2f} ms   p95 {result['p95_ms']:7.2f} ms"
            f"   p99 {result['p99_ms']:7.2f} ms"
            f"   non-2xx {result['non2xx']}   socket errors {result['errors']}")
