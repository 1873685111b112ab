#!/usr/bin/env bash
# Long fuzz runs of MoViSharp's file readers: the suite's fuzz tests (tests/MoViSharp.Tests/Weights/Fuzzing) with a larger count.
# Any input that breaks the readers' error contract is saved under tests/MoViSharp.Tests/Fixtures/fuzz/<reader>/, where the
# suite replays it from then on (commit it with the fix). See docs/fuzzing.md.
#
#   tools/fuzz/fuzz.sh [--count N] [--seed CSCHECK_SEED] [--threads T] [--timeout-ms MS] [--target NAME]...
#
# Targets: npy safetensors torch-zip torch-legacy tflite loader onnx stream-spec push-frames (default: all). Prints one summary line per target and
# writes them to $FUZZ_REPORT (default /tmp/movisharp-fuzz-report.txt); exits non-zero when any input failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

count=100000; seed=""; threads=1; timeout_ms=20000; targets=()
while (($#)); do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --timeout-ms) timeout_ms="$2"; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    *) echo "fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(npy safetensors torch-zip torch-legacy tflite loader onnx stream-spec push-frames)

declare -A test_of=(
  [npy]=Npy_reader_keeps_its_contract [safetensors]=Safetensors_reader_keeps_its_contract
  [torch-zip]=Torch_zip_reader_keeps_its_contract [torch-legacy]=Torch_legacy_reader_keeps_its_contract
  [tflite]=Tflite_reader_and_importer_keep_their_contract [loader]=Checkpoint_loader_keeps_its_contract
  [onnx]=Onnx_loader_and_step_keep_their_contract [stream-spec]=Stream_spec_body_keeps_its_contract
  [push-frames]=Pushed_frames_keep_their_contract)

dotnet build tests/MoViSharp.Tests/MoViSharp.Tests.csproj -c Release -nologo -v quiet
report="${FUZZ_REPORT:-${TMPDIR:-/tmp}/movisharp-fuzz-report.txt}"
: > "$report"
export MOVISHARP_FUZZ_COUNT="$count" MOVISHARP_FUZZ_THREADS="$threads" MOVISHARP_FUZZ_TIMEOUT_MS="$timeout_ms"
export MOVISHARP_FUZZ_SAVE="$PWD/tests/MoViSharp.Tests/Fixtures/fuzz" MOVISHARP_FUZZ_REPORT="$report"
[ -n "$seed" ] && export MOVISHARP_FUZZ_SEED="$seed"
status=0
for target in "${targets[@]}"; do
  name="${test_of[$target]:-}"
  [ -n "$name" ] || { echo "fuzz.sh: unknown target '$target'" >&2; exit 2; }
  echo "fuzz.sh: $target, $count inputs, $threads thread(s)" >&2
  start=$(date +%s)
  # Each thread's current input is written here first: after a native crash (the test host dies, nothing is saved) they are
  # the inputs that were being read, copied beside the saved failures as crash-*.
  inflight="$(mktemp -d)"
  if ! MOVISHARP_FUZZ_INFLIGHT="$inflight" dotnet test tests/MoViSharp.Tests/MoViSharp.Tests.csproj -c Release --no-build -nologo \
       --filter "FullyQualifiedName=MoViSharp.Tests.Weights.Fuzzing.ReaderFuzzTests.$name" --logger "console;verbosity=normal" | tee "$inflight.log"; then
    if grep -q "Test Run Aborted" "$inflight.log"; then   # the test host died
      mkdir -p "$MOVISHARP_FUZZ_SAVE/$target"
      for f in "$inflight"/*; do [ -e "$f" ] && cp "$f" "$MOVISHARP_FUZZ_SAVE/$target/crash-$(date +%s)-$(basename "$f")"; done
      echo "$target: test host died after $(( $(date +%s) - start )) s; the inputs in flight are saved as $MOVISHARP_FUZZ_SAVE/$target/crash-*" >> "$report"
    else
      echo "$target: FAILED after $(( $(date +%s) - start )) s (failing inputs saved under $MOVISHARP_FUZZ_SAVE/$target/)" >> "$report"
    fi
    status=1
  fi
  rm -rf "$inflight" "$inflight.log"
done
echo "--- fuzz report ($report)" >&2
cat "$report"
exit "$status"
