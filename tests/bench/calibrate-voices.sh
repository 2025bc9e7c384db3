#!/usr/bin/env bash
# Recalibrates each voice profile's loudness_gain_db: renders a reference
# article with the loudness stage in its two-pass `measure` mode and reads
# the gain it chose to reach -16 LUFS under a -1.5 dBTP ceiling. With that
# gain in the profile, the default `auto` mode reaches the same level in a
# single pass. Rerun after changing a voice's espeak voice, rate, pitch or
# range, or after upgrading espeak-ng.
#
#   tests/bench/calibrate-voices.sh [-b BUILD] [--write] [ARTICLE]
set -euo pipefail
build=build
write=no
args=()
while [ $# -gt 0 ]; do
  case $1 in
    -b) build=$2; shift 2 ;;
    --write) write=yes; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
article=${args[0]:-$here/examples/repair-cafe.md}
articast=$(cd "$here" && realpath "$build/articast")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PULSE_SERVER=unix:/nonexistent

for profile in "$here"/voices/*.voice; do
  name=$(basename "$profile" .voice)
  log=$("$articast" episode -v -q --voice "$name" -o "$work/site" \
    -O loudness.mode=measure -O loudness.target_lufs=-16 \
    -O loudness.true_peak_db=-1.5 "$article" 2>&1 >/dev/null)
  gain=$(printf '%s\n' "$log" | sed -n 's/.*loudness: info: input .* LUFS, gain \([-+0-9.]*\) dB.*/\1/p' | tail -1)
  if [ -z "$gain" ]; then
    echo "$name: no gain in the log" >&2
    exit 1
  fi
  gain=${gain#+}
  printf '%-20s loudness_gain_db = %s\n' "$name" "$gain"
  if [ $write = yes ]; then
    if grep -q '^loudness_gain_db' "$profile"; then
      sed -i "s/^loudness_gain_db.*/loudness_gain_db = $gain/" "$profile"
    else
      printf 'loudness_gain_db = %s\n' "$gain" >>"$profile"
    fi
  fi
done
