#!/usr/bin/env bash
# The robustness scan over a study-sized grid: the four methods of the study, plus each trained policy under every
# mechanism, at every N of the paper's grid and three seeds, 30-day runs. Every run must exit 0, leave a complete
# folder and pass `v2v verify` (which rejects a restarted or truncated market). Exit 0 only if all do.
#
# Usage: scripts/study-scan.sh [OUT_DIR] [JOBS]
#   OUT_DIR  where models and run folders go (default: a new folder under /tmp); models found there are reused
#   JOBS     runs at once (default: the number of cores)
# Environment: AGENTS="6 10 ..." SEEDS="0 1 2" DAYS=30 EPISODES=2000 narrow the grid for a quick look.
set -euo pipefail
out="${1:-$(mktemp -d /tmp/v2v-study-scan.XXXXXX)}"
jobs="${2:-$(nproc)}"
agents=(${AGENTS:-6 10 15 20 30 50 75 100})
seeds=(${SEEDS:-0 1 2})
days="${DAYS:-30}"
episodes="${EPISODES:-2000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out/runs" "$out/models"
dotnet build "$root/src/Host" -c Release -v q -nologo >/dev/null
v2v=(dotnet "$root/src/Host/bin/Release/net10.0/v2v.dll")
start=$SECONDS

# One model per learned method (SPEC 6): reused when a finished one is already there.
for method in nash-maddpg learning-only; do
  if [ ! -f "$out/models/$method/model.v2vnn" ]; then
    echo "training $method ($episodes episodes) into $out/models/$method" >&2
    "${v2v[@]}" train --method "$method" --config "$root/hocon/paper.conf" --episodes "$episodes" \
      --out "$out/models/$method" --no-progress >"$out/models/$method.log" 2>&1 \
      || { echo "training $method failed: see $out/models/$method.log" >&2; exit 1; }
  fi
done

# name | policy | mechanism | model: the study's four methods first, then the learned policies under the other mechanisms.
pairings=(
  "nash-maddpg|learned|nash|nash-maddpg"
  "learning-only|learned|greedy-average|learning-only"
  "greedy-average|truthful|greedy-average|"
  "double-auction|truthful|double-auction|"
  "nash-maddpg-under-greedy|learned|greedy-average|nash-maddpg"
  "nash-maddpg-under-auction|learned|double-auction|nash-maddpg"
  "learning-only-under-nash|learned|nash|learning-only"
  "learning-only-under-auction|learned|double-auction|learning-only"
)

# One line per run: NAME POLICY MECHANISM MODEL N SEED.
list="$out/grid.txt"
: >"$list"
for p in "${pairings[@]}"; do
  IFS='|' read -r name policy mechanism model <<<"$p"
  for n in "${agents[@]}"; do
    for s in "${seeds[@]}"; do
      echo "$name $policy $mechanism ${model:--} $n $s" >>"$list"
    done
  done
done
total=$(wc -l <"$list")
echo "$total runs of $days days into $out/runs, $jobs at a time" >&2

run_one() {
  local name=$1 policy=$2 mechanism=$3 model=$4 n=$5 s=$6
  local dir="$OUT/runs/$name-n$n-s$s" extra=()
  [ "$model" != "-" ] && extra=(--model "$OUT/models/$model")
  [ -f "$dir/complete.json" ] && { echo "skip $dir"; return 0; }
  rm -rf "$dir"
  local rc=0
  dotnet "$V2V_DLL" run --quiet --config "$ROOT/hocon/paper.conf" --days "$DAYS" --agents "$n" --seed "$s" \
    --policy "$policy" --mechanism "$mechanism" "${extra[@]}" --out "$dir" >"$dir.log" 2>&1 || rc=$?
  echo "exit $rc $dir"
}
export -f run_one
export OUT="$out" ROOT="$root" DAYS="$days" V2V_DLL="$root/src/Host/bin/Release/net10.0/v2v.dll"
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ <"$list" >"$out/exits.txt"

failed_runs=$(grep -c '^exit [1-9]' "$out/exits.txt" || true)
"${v2v[@]}" verify "$out"/runs/*/ >"$out/verify.txt" 2>&1 && vstatus=0 || vstatus=$?
ok=$(grep -c ': ok$' "$out/verify.txt" || true)
echo "runs: $total; non-zero exits: $failed_runs; verified ok: $ok of $total (verify exit $vstatus); $((SECONDS - start)) s"
echo "details: $out/exits.txt, $out/verify.txt"
[ "$failed_runs" -eq 0 ] && [ "$vstatus" -eq 0 ] && [ "$ok" -eq "$total" ]
