#!/usr/bin/env bash
# Calibrates articast's voices: the voice profiles (voices/*.voice) and the
# voices the espeak stage derives from espeak-ng's own voice list (every
# voice `articast voices` marks "derived", from voices/espeak-voices.tsv).
#
#   tests/bench/calibrate-voices.sh [-b BUILD] [--rates] [--check] [--write]
#                                   [--profiles | --derived] [--texts DIR]
#                                   [NAME...]
#
# Each voice reads the reference text of its language, DIR/TAG.txt (the
# longest prefix of its tag that has one: en-GB-x-rp reads en.txt); DIR is
# tests/bench/voices, see its README.md.
#
# Gain: renders the text with the loudness stage in its two-pass `measure`
# mode and reads the gain it chose to reach -16 LUFS under a -1.5 dBTP
# ceiling. With that gain in the voice's settings, the default `auto` mode
# reaches the same level in a single pass.
#
# --rates (derived voices): first chooses each voice's rate so that it
# speaks as many phonemes per second of speech (pauses of 100 ms or more
# left out) as the shipped European profiles do: 12.7, the median of
# en-us-newsreader, en-gb-newsreader, fr-fr, de-de and es-es (12.3 to
# 13.7); phonemes are counted in espeak-ng's own IPA transcription
# (`espeak-ng -q --ipa`), durations from `espeak-ng -s RATE -w`. The gain
# is then measured at that rate.
#
# --check: renders each voice in the default one-pass mode and reads the
# MP3 with ffmpeg's ebur128 filter: integrated loudness and true peak.
#
# --write: the results go into voices/espeak-voices.tsv (rate, gain_db)
# and the profiles' [loudness] gain_db.
#
# Rerun after upgrading espeak-ng or changing a voice's espeak voice, rate,
# pitch or range. It takes a while (a few seconds a voice, one voice after
# another, at low priority: other work shares the machine). Needs python3,
# espeak-ng and, for --check, ffmpeg.
set -euo pipefail
build=build
texts_dir=
rates=no
check=no
write=no
kinds="profile derived"
names=()
while [ $# -gt 0 ]; do
  case $1 in
    -b) build=$2; shift 2 ;;
    --rates) rates=yes; shift ;;
    --check) check=yes; shift ;;
    --write) write=yes; shift ;;
    --profiles) kinds=profile; shift ;;
    --texts) texts_dir=$2; shift 2 ;;
    --derived) kinds=derived; shift ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    -*) echo "$0: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
here=$(cd "$(dirname "$0")/../.." && pwd)
texts=${texts_dir:-$here/tests/bench/voices}
table=$here/voices/espeak-voices.tsv
articast=$(cd "$here" && realpath "$build/articast")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PULSE_SERVER=unix:/nonexistent
export ARTICAST_CACHE_DIR=$work/cache
# Phonemes per second of speech the derived voices' rates aim at.
target_phonemes=12.7
lowest_rate=110
highest_rate=200

# The pace of a voice: phonemes per second of speech at a rate.
cat >"$work/pace.py" <<'EOF'
import array, os, subprocess, sys, tempfile, unicodedata, wave
voice, rate, path = sys.argv[1], sys.argv[2], sys.argv[3]
# Burmese sentence marks as the espeak stage hands them to espeak-ng
# (plugins/espeak/text.c): as they are, they crash its Burmese voice.
text = open(path, encoding="utf-8").read()
text = text.replace("\u104b", ".").replace("\u104a", ",")
fd, path = tempfile.mkstemp(suffix=".txt")
with os.fdopen(fd, "w", encoding="utf-8") as f:
    f.write(text)
env = dict(os.environ, PULSE_SERVER="unix:/nonexistent")
ipa = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", voice, "-f", path],
                     capture_output=True, text=True, env=env).stdout
# Phonemes: the IPA letters, without stress and length marks and other
# modifier letters, tone numbers, diacritics and the language switches
# espeak writes as "(en)".
phonemes = 0
skip = False
for ch in unicodedata.normalize("NFD", ipa):
    if ch == "(":
        skip = True
    elif ch == ")":
        skip = False
    elif not skip and unicodedata.category(ch) in ("Ll", "Lu", "Lo"):
        phonemes += 1
fd, wav = tempfile.mkstemp(suffix=".wav")
os.close(fd)
subprocess.run(["espeak-ng", "-v", voice, "-s", rate, "-w", wav, "-f", path],
               capture_output=True, env=env, check=True)
with wave.open(wav) as f:
    sr = f.getframerate()
    samples = array.array("h", f.readframes(f.getnframes()))
os.unlink(wav)
os.unlink(path)
# Speech: 10 ms frames, less the runs of at least 100 ms under -40 dBFS.
step = sr // 100
speech = silent = 0
for i in range(0, len(samples), step):
    if max(map(abs, samples[i:i + step])) < 328:
        silent += 1
        continue
    speech += 1 + (silent if silent < 10 else 0)
    silent = 0
print(phonemes, speech / 100.0, len(samples) / sr)
EOF

# The reference text for a language tag: the longest prefix with a file.
text_for() {
  local tag=$1
  while [ -n "$tag" ]; do
    if [ -f "$texts/$tag.txt" ]; then
      echo "$texts/$tag.txt"
      return
    fi
    case $tag in *-*) tag=${tag%-*} ;; *) tag= ;; esac
  done
}

# A rate for the derived voice's espeak voice $1 reading $2, starting at $3:
# steps toward the target pace until the rate moves less than 5.
choose_rate() {
  local voice=$1 text=$2 rate=$3 next i
  for i in 1 2 3 4; do
    read -r phonemes speech _ < <(python3 "$work/pace.py" "$voice" "$rate" "$text")
    next=$(awk -v r="$rate" -v p="$phonemes" -v s="$speech" \
      -v t="$target_phonemes" -v lo="$lowest_rate" -v hi="$highest_rate" \
      'BEGIN { n = int(r * t * s / p / 5 + 0.5) * 5
               print (n < lo ? lo : n > hi ? hi : n) }')
    [ "$next" = "$rate" ] && break
    rate=$next
  done
  echo "$rate"
}

# The gain the loudness stage's measure mode chooses for voice $1.
measure_gain() {
  local name=$1 tag=$2 text=$3
  shift 3
  local log gain
  log=$(nice "$articast" episode -v -q --no-cache --voice "$name" \
    --lang "$tag" -o "$work/site" -O loudness.mode=measure \
    -O loudness.target_lufs=-16 -O loudness.true_peak_db=-1.5 "$@" \
    "$text" 2>&1 >/dev/null) || { echo "$log" >&2; return 1; }
  gain=$(printf '%s\n' "$log" |
    sed -n 's/.*loudness: info: input .* LUFS, gain \([-+0-9.]*\) dB.*/\1/p' |
    tail -1)
  spoke=$(printf '%s\n' "$log" | sed -n 's/.*espeak: info: spoke \([0-9]*\) words.*/\1/p')
  [ -n "$gain" ] || { echo "$name: no gain in the log" >&2; return 1; }
  echo "${gain#+} ${spoke:-?}"
}

# Integrated loudness and true peak of voice $1 in one pass.
check_voice() {
  local name=$1 tag=$2 text=$3
  shift 3
  rm -rf "$work/check"
  nice "$articast" episode -q --no-cache --voice "$name" --lang "$tag" \
    -o "$work/check" "$@" "$text" >/dev/null 2>&1 || { echo "render failed"; return; }
  ffmpeg -nostdin -nostats -i "$work"/check/episodes/*.mp3 -af ebur128=peak=true \
    -f null - 2>&1 | awk '/^ *I:/ { i = $2 } /^ *Peak:/ { p = $2 }
      END { printf "one pass: %s LUFS, true peak %s dBTP\n", i, p }'
}

# The voices: name, language, kind, espeak voice, rate.
"$articast" voices | awk '
  $3 == "profile" || $3 == "derived" { name = $1; lang = $2; kind = $3; next }
  name != "" {
    voice = "-"; rate = "-"
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^espeak\.voice=/) voice = substr($i, 14)
      if ($i ~ /^espeak\.rate=/) rate = substr($i, 13)
    }
    print name "\t" lang "\t" kind "\t" voice "\t" rate
    name = ""
  }' >"$work/voices.tsv"

: >"$work/results.tsv"
status=0
while IFS=$'\t' read -r -u 3 name lang kind voice rate; do
  case " $kinds " in *" $kind "*) ;; *) continue ;; esac
  if [ ${#names[@]} -gt 0 ] && [[ ! " ${names[*]} " =~ " $name " ]]; then
    continue
  fi
  text=$(text_for "$lang")
  if [ -z "$text" ]; then
    echo "$name ($lang): no reference text in $texts: not calibrated" >&2
    continue
  fi
  extra=()
  if [ $kind = derived ] && [ $rates = yes ]; then
    rate=$(choose_rate "$voice" "$text" "${rate/-/150}")
    extra=(-O "espeak.rate=$rate")
  fi
  if ! read -r gain spoke < <(measure_gain "$name" "$lang" "$text" "${extra[@]}"); then
    status=1
    continue
  fi
  line=$(printf '%-24s %-16s rate %-4s gain_db %-6s (%s words spoken, %s)' \
    "$name" "$lang" "$rate" "$gain" "$spoke" "${text#$here/}")
  if [ $check = yes ]; then
    line="$line; $(check_voice "$name" "$lang" "$text" "${extra[@]}" \
      -O "loudness.gain_db=$gain")"
  fi
  echo "$line"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$voice" "$rate" "$gain" \
    >>"$work/results.tsv"
done 3<"$work/voices.tsv" </dev/null

if [ $write = yes ]; then
  python3 - "$work/results.tsv" "$table" "$here/voices" <<'EOF'
import os, re, sys
results, table, voices = sys.argv[1:4]
derived, profiles = {}, {}
for line in open(results, encoding="utf-8"):
    name, kind, voice, rate, gain = line.rstrip("\n").split("\t")
    if kind == "derived":
        derived[voice] = (rate, gain)
    else:
        profiles[name] = gain
# The table: the rows of the voices measured get their rate and gain.
out = []
for line in open(table, encoding="utf-8"):
    cols = line.rstrip("\n").split("\t")
    if not line.startswith("#") and len(cols) >= 5:
        voice = cols[0].rsplit("/", 1)[-1]
        if voice in derived:
            rate, gain = derived[voice]
            cols[3] = rate if rate != "-" else cols[3]
            cols[4] = "%.2f" % float(gain)
        line = "\t".join(cols) + "\n"
    out.append(line)
open(table, "w", encoding="utf-8").write("".join(out))
# The profiles: gain_db under [loudness], added when missing.
for name, gain in profiles.items():
    path = os.path.join(voices, name + ".voice")
    text = open(path, encoding="utf-8").read()
    section = re.search(r"(?m)^\[loudness\][^\[]*", text)
    if section and re.search(r"(?m)^gain_db\s*=.*$", section.group(0)):
        body = re.sub(r"(?m)^gain_db\s*=.*$", "gain_db = %.2f" % float(gain),
                      section.group(0), count=1)
        text = text[:section.start()] + body + text[section.end():]
    elif section:
        text = text[:section.end()].rstrip("\n") + "\ngain_db = %.2f\n\n" % \
            float(gain) + text[section.end():]
    else:
        text = text.rstrip("\n") + "\n\n[loudness]\ngain_db = %.2f\n" % float(gain)
    open(path, "w", encoding="utf-8").write(text)
EOF
fi
exit $status
