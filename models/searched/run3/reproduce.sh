#!/usr/bin/env bash
# Reproduces the third architecture-search comparison (run3/, models/searched/README.md). It reuses run 2's baseline: the same
# data, latency table and `scale` run (run2/reproduce.sh's first steps, repeated here), then an evolution that starts from the
# scaled-A0 winner (--initial) in a space that also allows its 2048-wide hidden layer (run3/space.json), with the winner's
# predicted cost as the limit, so the comparison is made at equal latency. About 30 min of scaling and 70 min of search on 2
# idle cores, then about 40 min for the five final trainings. Latency costs are measured on the machine that runs this, so another
# machine finds other networks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work="${1:-$root/.work/searched-run3}"
ms="$root/movisharp"
mkdir -p "$work/final"
cd "$work"

"$ms" synth --out bench   --per-class 40 --frames 16 --size 48 --seed 100
"$ms" synth --out test201 --per-class 40 --frames 16 --size 48 --seed 201
"$ms" synth --out test202 --per-class 40 --frames 16 --size 48 --seed 202

# The baseline exactly as run 2 (space.json, 2 ms): its best point is ×0.5 width, ×0.5 depth, stride 2 at 1.396 ms predicted.
"$ms" scale --base a0 --space "$root/models/searched/space.json" --data bench --target-ms 2 --cost latency --clock thread-cpu --latency-table table.json \
  --samples 10 --widths 0.375,0.5,0.625,0.75,1 --depths 0.5,0.75,1 --epochs 20 --batch 16 --lr 0.003 --threads 2 --hours 0.5 --seed 11 --out scaled-a0

# The search from the baseline's point, on the same table, at the baseline's predicted cost (scaled-a0/scale-log.json: 1.39582
# ms/frame in run 2, rounded up to 1.396; on another machine, read it from there).
"$ms" search --space "$root/models/searched/run3/space.json" --data bench --target-ms 1.396 --cost latency --clock thread-cpu --latency-table table.json \
  --initial scaled-a0/best/architecture.json --baselines scaled-a0/scale-log.json \
  --evaluations 40 --population 3 --tournament 2 --retire worst --epochs 20 --batch 16 --lr 0.003 --threads 2 --hours 1.15 --seed 11 --out search

# The found model from scratch with the final budget (all 600 clips, 40 epochs, lr 0.003), tested on the unseen seeds.
final() {   # NAME BEST_DIR SEED
  local stride; stride=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['frame_stride'])" "$2/architecture.json")
  "$ms" train bench --config "$2/config.json" --frames 8 --stride "$stride" --size 48 --epochs 40 --batch 16 --lr 0.003 --crop-area-min 0.5 \
    --cache --threads 1 --seed "$3" --out "final/$1-seed$3"
  for t in 201 202; do
    "$ms" eval "test$t" --weights "final/$1-seed$3/model.safetensors" --frames 8 --stride "$stride" --size 48 --threads 1 --json > "final/$1-seed$3-test$t.json"
  done
}
# (The baseline's five final seeds are runs 1 and 2's: its final training is deterministic by seed.)
for group in "1 2" "3 4 5"; do for s in $group; do final search search/best "$s" & done; wait; done

# Measured per-frame latency of both on the idle machine, each order once (compiled stream step, one thread).
space="$root/models/searched/run3/space.json"
"$ms" search-cost --space "$space" --architectures search/best/architecture.json,scaled-a0/best/architecture.json --threads 1 --clock thread-cpu \
  --repeats 201 --classes 15 --latency-tables final/tables-1 --out final/latency-1
"$ms" search-cost --space "$space" --architectures scaled-a0/best/architecture.json,search/best/architecture.json --threads 1 --clock thread-cpu \
  --repeats 201 --classes 15 --latency-tables final/tables-2 --out final/latency-2
