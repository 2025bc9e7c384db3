#!/usr/bin/env bash
# Benchmark: a full articast episode against the plain route
#   espeak-ng [VOICE SETTINGS] -f FILE -w x.wav && lame -b RATE -m m x.wav x.mp3
# writing the same MP3 format (bit rate, sample rate, mono) at lame's
# default quality. The plain route runs twice per round: with the voice,
# rate, pitch and word gap of the profile articast speaks the article with
# (the same speech, so the same amount of audio: the fair comparison), and
# with espeak-ng's defaults (its voice "en" at 175 words a minute, which
# makes less audio of the same text than a slower newsreader profile).
# The routes are run alternately, N rounds in one run, each timed run after
# the last one's files reached the disk (settle), and the medians and
# ratios are printed (articast with its segment cache off, so that every
# round synthesizes everything). Then:
#   - edits: render the article with an empty cache, add a sentence to one
#     paragraph (a different one each round), render again with the cache;
#   - batch: 8 articles with -j 1 against -j 2, cache off, in alternating
#     order, outputs compared.
# Run on purpose: it is not part of the test suite.
#
#   tests/bench/episode-vs-espeak-lame.sh [-n ROUNDS] [-b BUILD] [ARTICLE]
set -euo pipefail

rounds=7
build=build
while getopts "n:b:" opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [-b BUILD] [ARTICLE]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
here=$(cd "$(dirname "$0")/../.." && pwd)
article=${1:-$here/examples/repair-cafe.md}
articast=$(cd "$here" && realpath "$build/articast")
rate=64 # kbps, articast's default mp3.bitrate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PULSE_SERVER=unix:/nonexistent
for tool in espeak-ng lame bc; do
  command -v "$tool" >/dev/null ||
    { echo "$0: needs $tool (apt-get install espeak-ng lame bc)" >&2; exit 1; }
done

now() { date +%s.%N; }
# Before each timed run: the files the last run wrote go to disk and its
# processes finish exiting, so that no run pays for the one before it (in
# a fixed order, the second of two equal runs measured 5 to 10% slower).
settle() { sync; sleep 0.3; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# The plain route reads the same text articast speaks.
"$articast" text "$article" >"$work/article.txt"

# The voice articast speaks the article with ("spoke N words, S s of audio,
# voice 'PROFILE' (ESPEAK)" in its log), and that profile's settings from
# `articast voices`.
profile=$("$articast" episode -v --no-cache -o "$work/probe" "$article" 2>&1 |
  sed -n "s/.*spoke [0-9]* words, .* voice '\([^']*\)'.*/\1/p" | head -n 1)
settings=$("$articast" voices | awk -v p="$profile" '$1 == p {getline; print; exit}')
setting() { printf '%s\n' "$settings" | tr ' ' '\n' | sed -n "s/^espeak\.$1=//p"; }
same_voice=(-v "$(setting voice)" -s "$(setting rate)" -p "$(setting pitch)"
  -g "$(setting word_gap)")
for v in "${same_voice[@]}"; do
  [ -n "$v" ] || { echo "$0: cannot read the settings of voice '$profile'" >&2; exit 1; }
done

plain_route() { # ESPEAK-ARGS...
  rm -f "$work/x.wav" "$work/x.mp3"
  espeak-ng "$@" -f "$work/article.txt" -w "$work/x.wav"
  lame --quiet -b $rate -m m "$work/x.wav" "$work/x.mp3"
  [ -s "$work/x.mp3" ] || { echo "$0: the plain route wrote nothing" >&2; exit 1; }
}
audio_seconds() { lame --decode --quiet "$1" - 2>/dev/null | wc -c |
  awk -v r="$2" '{printf "%.1f", ($1 - 44) / 2 / r}'; }

: >"$work/plain.times"
: >"$work/default.times"
: >"$work/articast.times"
for ((i = 0; i < rounds; i++)); do
  settle
  t0=$(now)
  plain_route "${same_voice[@]}"
  t1=$(now)
  rm -rf "$work/site"
  settle
  t2=$(now)
  "$articast" episode -q --no-cache -o "$work/site" "$article"
  t3=$(now)
  settle
  t4=$(now)
  plain_route
  t5=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/plain.times"
  echo "$t3 - $t2" | bc -l >>"$work/articast.times"
  echo "$t5 - $t4" | bc -l >>"$work/default.times"
done
plain=$(median <"$work/plain.times")
default=$(median <"$work/default.times")
ours=$(median <"$work/articast.times")
default_audio=$(audio_seconds "$work/x.mp3" 22050)
plain_route "${same_voice[@]}"
plain_audio=$(audio_seconds "$work/x.mp3" 22050)
ours_audio=$(audio_seconds "$(find "$work/site/episodes" -name '*.mp3' | head -n 1)" 22050)
printf 'article: %s\n' "$article"
printf 'plain route, voice %s (%s), median of %d: %.3f s for %s s of audio\n' \
  "$profile" "${same_voice[*]}" "$rounds" "$plain" "$plain_audio"
printf 'plain route, espeak-ng defaults, median of %d: %.3f s for %s s of audio\n' \
  "$rounds" "$default" "$default_audio"
printf 'articast episode, full, median of %d: %.3f s for %s s of audio\n' \
  "$rounds" "$ours" "$ours_audio"
printf 'ratio articast / plain, same voice:       %.2f\n' "$(echo "$ours / $plain" | bc -l)"
printf 'ratio articast / plain, espeak defaults:  %.2f\n' "$(echo "$ours / $default" | bc -l)"

# Edits: one paragraph changed, the rest from the cache. The article's
# paragraphs are its blocks of text separated by blank lines that are not
# front matter or headings.
ext=${article##*.}
mapfile -t paras < <(awk 'BEGIN{RS=""; fm=0}
  NR == 1 && /^---/ {next}
  /^#/ || /^title:/ || /^---/ {next}
  {print NR}' "$article")
: >"$work/first.times"
: >"$work/edit.times"
for ((i = 0; i < rounds; i++)); do
  k=${paras[$(((i * 3) % ${#paras[@]}))]}
  # A sentence no cache has seen, at the end of block k.
  awk -v k="$k" -v i="$i" 'BEGIN{RS=""; ORS="\n\n"}
    NR == k {sub(/[[:space:]]*$/, ""); $0 = $0 " This sentence came with edit " i "."}
    {print}' "$article" >"$work/edited.$ext"
  rm -rf "$work/cache" "$work/esite"
  cp "$article" "$work/doc.$ext"
  settle
  t0=$(now)
  "$articast" episode -q --cache-dir "$work/cache" -o "$work/esite" "$work/doc.$ext"
  t1=$(now)
  cp "$work/edited.$ext" "$work/doc.$ext"
  settle
  t2=$(now)
  "$articast" episode -q --cache-dir "$work/cache" -o "$work/esite" "$work/doc.$ext"
  t3=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/first.times"
  echo "$t3 - $t2" | bc -l >>"$work/edit.times"
done
first=$(median <"$work/first.times")
edit=$(median <"$work/edit.times")
printf 'first render, empty cache (median of %d):      %.3f s\n' "$rounds" "$first"
printf 'one paragraph edited, rendered again (median): %.3f s = %.1f%% of the first\n' \
  "$edit" "$(echo "100 * $edit / $first" | bc -l)"

# Batch: 8 articles, one core against two, without the cache.
mkdir -p "$work/batch"
for i in 1 2 3 4 5 6 7 8; do
  # Distinct titles, so the eight episodes get eight slugs.
  if grep -q '^title: ' "$article"; then
    sed "0,/^title: /s/^title: /title: Part $i, /" "$article" >"$work/batch/a$i.md"
  else
    sed "1s/^/Part $i, /" "$article" >"$work/batch/a$i.txt"
  fi
done
: >"$work/j1.times"
: >"$work/j2.times"
batch() { # JOBS: renders the eight articles, appends the time
  rm -rf "$work/s$1"
  settle
  local t0 t1
  t0=$(now)
  "$articast" episode -q --no-cache -j "$1" -o "$work/s$1" "$work/batch"/a*
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/j$1.times"
}
for ((i = 0; i < 3; i++)); do
  if ((i % 2 == 0)); then batch 1; batch 2; else batch 2; batch 1; fi
done
j1=$(median <"$work/j1.times")
j2=$(median <"$work/j2.times")
same=identical
# Audio and side files; the sidecars hold the publication time of articles
# without a date, which differs between runs by design.
for f in "$work/s1/episodes"/*.{mp3,vtt,srt,txt,json}; do
  cmp -s "$f" "$work/s2/episodes/$(basename "$f")" || same="DIFFERENT: $(basename "$f")"
done
printf '8 articles -j 1 (median of 3): %.3f s\n' "$j1"
printf '8 articles -j 2 (median of 3): %.3f s  speed-up %.2fx, outputs %s\n' \
  "$j2" "$(echo "$j1 / $j2" | bc -l)" "$same"
