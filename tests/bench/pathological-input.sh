#!/usr/bin/env bash
# Benchmark: peak memory and time of the source and text stages on hostile
# input (README, "Resource limits"): each input through `articast text
# --until clean` and `--until normalize`, with /usr/bin/time's %M (peak
# RSS, KB) and %e (seconds). Run on purpose: it is not part of the tests.
#
#   tests/bench/pathological-input.sh [-b BUILD]
set -euo pipefail

build=build
while getopts "b:" opt; do
  case $opt in
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD]" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
articast=$(cd "$here" && realpath "$build/articast")
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'EOF'
import sys
w = sys.argv[1]
line = "x" * (20 << 20)
open(f"{w}/line.txt", "w").write(line + "\n")
open(f"{w}/line.html", "w").write("<!DOCTYPE html><html><body><p>" + line + "</p></body></html>\n")
open(f"{w}/paras.txt", "w").write("".join(f"word{i % 10}\n\n" for i in range(1000000)))
open(f"{w}/paras.html", "w").write("<!DOCTYPE html><html><body>" +
    "".join(f"<p>word{i % 10}</p>" for i in range(1000000)) + "</body></html>\n")
open(f"{w}/divs.html", "w").write("<!DOCTYPE html><html><body>" + "<div>" * 100000 +
    "deep" + "</div>" * 100000 + "</body></html>\n")
EOF

run() { # FILE STAGE -> "MB, s (exit N)"
  local rc=0
  /usr/bin/time -f "%M %e" -o "$work/t" "$articast" text --max-input 30M \
    --until "$2" "$1" >/dev/null 2>"$work/err" || rc=$?
  local kb s
  read -r kb s < <(tail -1 "$work/t")
  printf '%d MB, %s s%s' $((kb / 1024)) "$s" "$([ $rc = 0 ] || echo " (exit $rc)")"
}

printf '| input | through clean | through normalize |\n|---|---|---|\n'
for f in "line.txt:a 20 MB line without spaces, \`.txt\`" \
  "line.html:the same line as one HTML paragraph" \
  "paras.txt:1,000,000 one-word paragraphs, \`.txt\`" \
  "paras.html:1,000,000 \`<p>\` paragraphs, HTML" \
  "divs.html:100,000 nested \`<div>\`s"; do
  file=${f%%:*}
  printf '| %s | %s | %s |\n' "${f#*:}" "$(run "$work/$file" clean)" \
    "$(run "$work/$file" normalize)"
done
