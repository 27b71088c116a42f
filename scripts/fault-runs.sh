#!/usr/bin/env bash
# Issue 3: N short seeded runs (default 1000) with latency and every fault kind on, each written by `v2v run`
# and then re-checked from its files by `v2v verify`. Exit 0 only if every run folder verifies.
# Usage: scripts/fault-runs.sh [N] [OUT_DIR]
set -euo pipefail
n="${1:-1000}"
out="${2:-$(mktemp -d /tmp/v2v-fault-runs.XXXXXX)}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/src/Host" -c Release -v q -nologo >/dev/null
v2v=(dotnet "$root/src/Host/bin/Release/net10.0/v2v.dll")
faults=(
  --mechanism greedy-average --days 1
  --set v2v.simulation.latency.model=lognormal --set v2v.simulation.latency.lognormal-median=2m
  --set v2v.simulation.latency.slow-fraction=0.3 --set v2v.simulation.latency.slow-factor=4
  --set v2v.simulation.faults.crash=0.05 --set v2v.simulation.faults.dropout=0.03 --set v2v.simulation.faults.silent=0.05
  --set v2v.simulation.faults.message-drop=0.05 --set v2v.simulation.faults.message-duplicate=0.05
  --set v2v.simulation.faults.message-delay=0.05
)
for ((seed = 0; seed < n; seed++)); do
  "${v2v[@]}" run --quiet --seed "$seed" --agents $((8 + seed % 9)) "${faults[@]}" --out "$out/seed-$seed" >/dev/null
  if (((seed + 1) % 100 == 0)); then echo "$((seed + 1)) / $n runs written to $out" >&2; fi
done
"${v2v[@]}" verify "$out"/seed-* >"$out/verify.txt" && status=0 || status=$?
echo "$(grep -c ': ok$' "$out/verify.txt") of $n run folders verified ok (details: $out/verify.txt)"
exit "$status"
