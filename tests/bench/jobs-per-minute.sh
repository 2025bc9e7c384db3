#!/usr/bin/env bash
# Benchmark: `articast worker` on Redis Streams, on this machine.
#   - jobs per minute with 1 and with 2 workers (--drain, segment cache
#     off) over N short articles (3 paragraphs, about 70 words each);
#   - the queue's own cost per job, against a render: `articast enqueue` of
#     M small articles (one connection per article, as serve --redis does),
#     and M no-op jobs through a real worker (entries it reads, checks and
#     retires without rendering: XREADGROUP, XPENDING, XADD to the
#     dead-letter stream, then XACK+XDEL+HSET in one MULTI: more commands
#     than a rendered job's acknowledgement, so an upper bound).
# A real redis-server runs on 127.0.0.1 on a free port, in a temporary dir,
# without persistence. Wall-clock times; the machine may be shared, so the
# load average is printed too. Run on purpose: not part of the test suite.
#
#   tests/bench/jobs-per-minute.sh [-n ARTICLES] [-m NOOP_JOBS] [-b BUILD]
set -euo pipefail

articles=12
noops=2000
build=build
while getopts "n:m:b:" opt; do
  case $opt in
    n) articles=$OPTARG ;;
    m) noops=$OPTARG ;;
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-n ARTICLES] [-m NOOP_JOBS] [-b BUILD]" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
articast=$(cd "$here" && realpath "$build/articast")
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }
work=$(mktemp -d)
export PULSE_SERVER=unix:/nonexistent
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --save '' \
  --appendonly no --logfile "$work/redis.log" --daemonize no &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null; rm -rf "$work"' EXIT
url="redis://127.0.0.1:$port"
for _ in $(seq 100); do
  redis-cli -p "$port" PING >/dev/null 2>&1 && break
  sleep 0.05
done
cat >"$work/show.ini" <<EOF
[show]
title = Bench, read aloud
base_url = https://pod.example.org/bench/
[feed]
category = News
owner_email = pod@example.org
EOF

now() { date +%s.%N; }

# N articles of distinct titles, a set per run (the same article again
# would be no new work: enqueue is idempotent).
for run in 1 2; do
  mkdir -p "$work/in-$run"
  for ((i = 0; i < articles; i++)); do
    {
      printf '# Bench story number %d of run %d\n\n' "$i" "$run"
      for p in 1 2 3; do
        printf 'Paragraph %d of story %d. The council met on Tuesday to discuss the ' "$p" "$i"
        printf 'new bus routes, the library hours and the repair of the old bridge. '
        printf 'Residents asked questions for an hour, and the mayor promised an answer '
        printf 'before the end of the month, after the budget is known.\n\n'
      done
    } >"$work/in-$run/story-$i.md"
  done
done

# Renders every article with W workers; prints jobs per minute.
run_workers() {
  local w=$1 site="$work/site-$1"
  "$articast" enqueue --redis "$url" "$work/in-$w"/*.md >/dev/null
  local t0 t1
  t0=$(now)
  local pids=()
  for ((k = 0; k < w; k++)); do
    "$articast" worker --redis "$url" -c "$work/show.ini" -o "$site" \
      --no-cache --drain -q --consumer "bench-$w-$k" 2>>"$work/workers.log" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  t1=$(now)
  local items
  items=$(grep -c '<item>' "$site/feed.xml")
  [ "$items" -eq "$articles" ] || { echo "only $items of $articles in the feed" >&2; exit 1; }
  echo "$t0 $t1" | awk -v n="$articles" -v w="$w" \
    '{s = $2 - $1; printf "%d worker(s): %d jobs in %.1f s = %.1f jobs/min (%.2f s a job)\n", w, n, s, n * 60 / s, s / n}'
}

echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run_workers 1
run_workers 2

# The queue's cost: enqueue of M small articles (one process, one
# connection each), then M no-op jobs through a worker.
m=$((noops < 200 ? noops : 200))
mkdir -p "$work/tiny"
for ((i = 0; i < m; i++)); do printf '# T%d\n\nHi.\n' "$i" >"$work/tiny/t$i.md"; done
t0=$(now)
"$articast" enqueue --redis "$url" "$work"/tiny/*.md >/dev/null
t1=$(now)
echo "$t0 $t1" | awk -v n="$m" '{printf "enqueue: %d jobs in %.3f s = %.2f ms a job (connection included)\n", n, $2 - $1, ($2 - $1) * 1000 / n}'
redis-cli -p "$port" DEL articast:jobs >/dev/null
redis-cli -p "$port" XGROUP CREATE articast:jobs articast:workers 0 MKSTREAM >/dev/null
# An empty queue first: the worker's start and drain check alone.
t0=$(now)
"$articast" worker --redis "$url" -c "$work/show.ini" -o "$work/site-noop" -q --drain --consumer noop
t1=$(now)
start=$(echo "$t1 - $t0" | bc -l)
for ((i = 0; i < noops; i++)); do echo "XADD articast:jobs * v 0 noop $i"; done |
  redis-cli -p "$port" >/dev/null
t0=$(now)
"$articast" worker --redis "$url" -c "$work/show.ini" -o "$work/site-noop" -q --drain --consumer noop 2>/dev/null
t1=$(now)
left=$(redis-cli -p "$port" XLEN articast:jobs)
[ "$left" -eq 0 ] || { echo "$left no-op jobs left in the stream" >&2; exit 1; }
echo "$t0 $t1 $start" | awk -v n="$noops" \
  '{s = $2 - $1 - $3; printf "worker: %d no-op jobs in %.3f s (its start and drain check, %.3f s, aside) = %.3f ms a job\n", n, s, $3, s * 1000 / n}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
