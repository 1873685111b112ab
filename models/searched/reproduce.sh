#!/usr/bin/env bash
# Reproduces the architecture-search proof in models/searched/ (README.md there) with MoViSharp's own commands: about 1.5 hours
# on 2 idle cores (the search and the scaled-A0 baseline run side by side, one core each).
# Latency costs are measured on the machine that runs this, so another machine finds other networks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$root/.work/searched}"
ms="$root/movisharp"
here="$root/models/searched"
mkdir -p "$work/final"
cd "$work"

# Data: the search's clips (every 5th held out to score candidates) and two test sets of seeds never used before the last step.
"$ms" synth --out bench   --per-class 40 --frames 16 --size 48 --seed 100
"$ms" synth --out test201 --per-class 40 --frames 16 --size 48 --seed 201
"$ms" synth --out test202 --per-class 40 --frames 16 --size 48 --seed 202

# The latency table: per-layer thread-CPU times of this machine (idle), then copied so the two runs do not share one file.
"$ms" search-cost --space "$here/space.json" --samples 30 --threads 1 --clock thread-cpu --repeats 31 --classes 10 --latency-tables tables --out table-validation
cp tables/*-1t-measured-threadcpu.json table-search.json
cp tables/*-1t-measured-threadcpu.json table-scale.json

# The search and the baseline, same data, target, per-candidate budget and seed, side by side.
"$ms" search --space "$here/space.json" --data bench --target-ms 2 --cost latency --clock thread-cpu --latency-table table-search.json \
  --evaluations 14 --population 4 --tournament 2 --epochs 20 --batch 16 --lr 0.01 --threads 1 --hours 1.0 --seed 11 --out search &
"$ms" scale --base a0 --space "$here/space.json" --data bench --target-ms 2 --cost latency --clock thread-cpu --latency-table table-scale.json \
  --samples 10 --widths 0.375,0.5,0.625,0.75,1 --depths 0.5,0.75,1 --epochs 20 --batch 16 --lr 0.01 --threads 1 --hours 1.0 --seed 11 --out scaled-a0 &
wait

# Both winners trained from scratch with one final budget (all 600 clips, 40 epochs), two training seeds each.
final() {   # NAME BEST_DIR SEED
  local stride; stride=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['frame_stride'])" "$2/architecture.json")
  "$ms" train bench --config "$2/config.json" --frames 8 --stride "$stride" --size 48 --epochs 40 --batch 16 --lr 0.01 --crop-area-min 0.5 \
    --cache --threads 1 --seed "$3" --out "final/$1-seed$3"
  for t in 201 202; do
    "$ms" eval "test$t" --weights "final/$1-seed$3/model.safetensors" --frames 8 --stride "$stride" --size 48 --threads 1 --json > "final/$1-seed$3-test$t.json"
  done
}
final search search/best 1 & final scaled-a0 scaled-a0/best 1 & wait
final search search/best 2 & final scaled-a0 scaled-a0/best 2 & wait

# Measured per-frame latency of both, side by side in one run (compiled stream step, one thread), both clocks.
"$ms" search-cost --space "$here/space.json" --architectures search/best/architecture.json,scaled-a0/best/architecture.json \
  --threads 1 --clock thread-cpu --repeats 201 --classes 15 --latency-tables final/tables-cpu --out final/latency-cpu
"$ms" search-cost --space "$here/space.json" --architectures search/best/architecture.json,scaled-a0/best/architecture.json \
  --threads 1 --clock wall --repeats 201 --classes 15 --latency-tables final/tables-wall --out final/latency-wall
