#!/usr/bin/env bash
# Issue 18: whole-process wall time of the default run (`v2v run` on the embedded defaults: 100 EVs, 30 days),
# RUNS times (default 5) after one Release build of src/Host; prints each run's wall seconds and their median.
# Each run writes to a fresh folder under a temporary directory, removed at the end.
# Usage: scripts/time-default-run.sh [RUNS]
set -euo pipefail
runs="${1:-5}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "RUNS: '$runs' is not a positive whole number" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "/usr/bin/time: not found (install the 'time' package)" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/src/Host" -c Release -v q -nologo >/dev/null
v2v="$root/src/Host/bin/Release/net10.0/v2v"
work="$(mktemp -d /tmp/v2v-time-default-run.XXXXXX)"
trap 'rm -rf "$work"' EXIT
echo "commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $runs runs of: v2v run --out DIR"
times=()
for ((i = 1; i <= runs; i++)); do
  # -o keeps the run's own stderr apart from the measured time; a failed run stops the script.
  /usr/bin/time -f %e -o "$work/time-$i" "$v2v" run --out "$work/run-$i" >"$work/stdout-$i" 2>"$work/stderr-$i" || {
    echo "run $i failed: $(tail -n 1 "$work/stderr-$i")" >&2
    exit 1
  }
  t="$(tail -n 1 "$work/time-$i")"
  times+=("$t")
  echo "run $i: $t s"
  rm -rf "$work/run-$i"
done
printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END {
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  printf "median: %.2f s (min %.2f, max %.2f)\n", m, v[1], v[NR] }'
