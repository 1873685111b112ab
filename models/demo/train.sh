#!/usr/bin/env bash
# Reproduces models/demo/movinet-synthetic.safetensors with MoViSharp's own commands (about 45 minutes on 2 idle cores).
# The committed model was made by exactly these steps; stage 1 ran epochs 1-4 with 2 threads and was resumed
# (--resume, --threads 1) for epochs 5-30 because the machine was shared at the time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$root/.work/demo}"
ms="$root/movisharp"
mkdir -p "$work"

"$ms" synth --out "$work/train" --per-class 120 --seed 1 --frames 16 --size 64
"$ms" synth --out "$work/val"   --per-class 20  --seed 2 --frames 16 --size 64

# Stage 1: from scratch at 48², 30 epochs.
"$ms" train --data "$work/train" --val "$work/val" --config "$root/models/demo/architecture.json" --frames 16 --size 48 \
  --epochs 30 --batch 32 --lr 0.003 --crop-area-min 0.7 --cache --seed 1 --out "$work/stage1"
# Stage 2: 15 more epochs at a lower peak learning rate.
"$ms" train --data "$work/train" --val "$work/val" --init "$work/stage1/model.safetensors" --frames 16 --size 48 \
  --epochs 15 --batch 32 --lr 0.0015 --warmup 20 --crop-area-min 0.7 --cache --seed 2 --out "$work/stage2"
# Stage 3: 6 epochs at 64², the benchmark's native size, where the small rotating shapes have more pixels.
"$ms" train --data "$work/train" --val "$work/val" --init "$work/stage2/model.safetensors" --frames 16 --size 64 \
  --epochs 6 --batch 32 --lr 0.001 --warmup 20 --crop-area-min 0.7 --cache --seed 3 --out "$work/stage3"

cp "$work/stage3/model.safetensors" "$root/models/demo/movinet-synthetic.safetensors"

# The per-frame baseline: the same network with every temporal kernel of size 1 and a per-frame SE (stage 1 settings).
"$ms" train --data "$work/train" --val "$work/val" --config "$root/models/demo/per-frame-baseline.json" --frames 16 --size 48 \
  --epochs 30 --batch 32 --lr 0.003 --crop-area-min 0.7 --cache --seed 1 --out "$work/baseline"
