#!/usr/bin/env bash
# Benchmark: `articast serve` with its embedded queue, on this machine.
# Starts `serve -j 2` on a free port of 127.0.0.1 with a temporary site,
# then a python3 client (one keep-alive connection) POSTs N short articles
# as text/markdown, times each POST and a GET /v1/jobs/ID of each, and
# polls /metrics until every job is done. Prints the median POST and GET
# times and the jobs a minute. Run on purpose: not part of the test suite.
#
#   tests/bench/serve-throughput.sh [-n ARTICLES] [-j WORKERS] [-b BUILD]
set -euo pipefail

articles=200
workers=2
build=build
while getopts "n:j:b:" opt; do
  case $opt in
    n) articles=$OPTARG ;;
    j) workers=$OPTARG ;;
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-n ARTICLES] [-j WORKERS] [-b BUILD]" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
articast=$(cd "$here" && realpath "$build/articast")
work=$(mktemp -d)
export PULSE_SERVER=unix:/nonexistent
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$articast" serve --listen "127.0.0.1:$port" -o "$work/site" -j "$workers" \
  --no-cache -q >"$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" \
    2>/dev/null && break
  sleep 0.05
done

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$port" "$articles" "$workers" <<'EOF'
import http.client, json, statistics, sys, time
port, n, workers = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port)
posts, gets, ids = [], [], []
start = time.monotonic()
for i in range(n):
    body = (f"# Bench note {i}\n\nThe ferry leaves at {i % 12 + 1} o'clock today. "
            "It comes back an hour later.\n").encode()
    t = time.monotonic()
    c.request("POST", "/v1/episodes", body, {"Content-Type": "text/markdown"})
    r = c.getresponse(); answer = json.loads(r.read())
    posts.append(time.monotonic() - t)
    assert r.status == 202, answer
    ids.append(answer["id"])
for i in ids:
    t = time.monotonic()
    c.request("GET", f"/v1/jobs/{i}")
    r = c.getresponse(); r.read()
    gets.append(time.monotonic() - t)
while True:
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    done = failed = 0
    for line in text.splitlines():
        if line.startswith('articast_jobs{state="done"}'): done = int(line.split()[-1])
        if line.startswith('articast_jobs{state="failed"}'): failed = int(line.split()[-1])
    if done + failed >= n: break
    time.sleep(0.2)
took = time.monotonic() - start
print(f"POST /v1/episodes: median {statistics.median(posts) * 1000:.2f} ms ({n} requests)")
print(f"GET /v1/jobs/ID: median {statistics.median(gets) * 1000:.2f} ms")
print(f"-j {workers}: {done} done, {failed} failed, {took:.1f} s after the first POST = "
      f"{n * 60 / took:.1f} jobs a minute")
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
