#!/usr/bin/env bash
# Reproduces the first architecture-search comparison (run1/, models/searched/README.md) with MoViSharp's own commands: about
# 2.5 hours on 2 idle cores (the search and the scaled-A0 baseline run side by side, one core each, as they did here; README.md
# explains why a passing run should rather run them one after the other on one shared table).
# Latency costs are measured on the machine that runs this, so another machine finds other networks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work="${1:-$root/.work/searched-run1}"
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
# Redraw the search's plot with the scaled-A0 front (--hours 0: nothing more is trained).
"$ms" search --space "$here/space.json" --data bench --target-ms 2 --cost latency --clock thread-cpu --latency-table table-search.json \
  --evaluations 14 --population 4 --tournament 2 --epochs 20 --batch 16 --lr 0.01 --threads 1 --hours 0 --seed 11 --out search \
  --baselines scaled-a0/scale-log.json

# The one-shot search on the same data (widths fixed at ×0.5 of the base widths; the supernet would not meet 2 ms at ×1).
python3 - "$here/space.json" oneshot-space.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s.update(name='movinet-synthetic-oneshot', width_multiplier={'min': 0.25, 'max': 0.5}, frame_strides=[2, 1])
open(sys.argv[2], 'w').write(json.dumps(s, indent=2) + '\n')
PY
cp table-search.json table-oneshot.json
"$ms" search --algo oneshot --space oneshot-space.json --data bench --cost latency --target-ms 1.8 --clock thread-cpu --latency-table table-oneshot.json \
  --oneshot-epochs 24 --warmup-epochs 8 --epochs 20 --batch 16 --lr 0.01 --threads 1 --seed 11 --out oneshot

# The winners trained from scratch with one final budget (all 600 clips, 40 epochs, lr 0.003), five training seeds each,
# and tested on the two unseen seeds.
final() {   # NAME BEST_DIR SEED
  local stride; stride=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['frame_stride'])" "$2/architecture.json")
  "$ms" train bench --config "$2/config.json" --frames 8 --stride "$stride" --size 48 --epochs 40 --batch 16 --lr 0.003 --crop-area-min 0.5 \
    --cache --threads 1 --seed "$3" --out "final/$1-seed$3"
  for t in 201 202; do
    "$ms" eval "test$t" --weights "final/$1-seed$3/model.safetensors" --frames 8 --stride "$stride" --size 48 --threads 1 --json > "final/$1-seed$3-test$t.json"
  done
}
for seed in 1 2 3 4 5; do final search search/best "$seed" & final scaled-a0 scaled-a0/best "$seed" & wait; done
final oneshot oneshot/best 1

# Measured per-frame latency of both on the idle machine, each order twice (compiled stream step, one thread).
for r in 1 2 3 4; do
  if [ $((r % 2)) = 1 ]; then pair=search/best/architecture.json,scaled-a0/best/architecture.json; else pair=scaled-a0/best/architecture.json,search/best/architecture.json; fi
  "$ms" search-cost --space "$here/space.json" --architectures "$pair" --threads 1 --clock thread-cpu --repeats 201 --classes 15 \
    --latency-tables "final/tables-$r" --out "final/latency-$r"
done
