#!/usr/bin/env bash
# Issue 18: whole-process wall time of the default run (`v2v run` on the embedded defaults: 100 EVs, 30 days),
# RUNS times (default 5) after one Release build of src/Host; prints each run's wall seconds and their median, and
# the CPU seconds (user + system) beside them: on a shared machine the wall time grows with the other sessions' load
# (printed too), the CPU time much less. Each run writes to a fresh folder under a temporary directory, removed at the end.
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
walls=()
cpus=()
for ((i = 1; i <= runs; i++)); do
  # -o keeps the run's own stderr apart from the measured time; a failed run stops the script.
  /usr/bin/time -f "%e %U %S" -o "$work/time-$i" "$v2v" run --out "$work/run-$i" >"$work/stdout-$i" 2>"$work/stderr-$i" || {
    echo "run $i failed: $(tail -n 1 "$work/stderr-$i")" >&2
    exit 1
  }
  read -r wall user sys < <(tail -n 1 "$work/time-$i")
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  walls+=("$wall")
  cpus+=("$cpu")
  echo "run $i: $wall s wall, $cpu s CPU"
  rm -rf "$work/run-$i"
done
summary() {
  printf '%s\n' "${@:2}" | sort -g | awk -v what="$1" '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "median %s: %.2f s (min %.2f, max %.2f)\n", what, m, v[1], v[NR] }'
}
summary wall "${walls[@]}"
summary CPU "${cpus[@]}"
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
