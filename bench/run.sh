#!/usr/bin/env bash
# Regenerates the streaming-inference benchmarks: docs/BENCHMARKS.md (the bench section only), docs/bench/*.png and
# docs/bench/results.json. Run on an otherwise idle machine: the numbers are per-core timings. Extra arguments go to
# `movisharp bench` (e.g. --quick, --models a0,a1, --frames 500).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
echo "load before: $(uptime)" >&2
./movisharp bench --out docs "$@"
echo "load after: $(uptime)" >&2
