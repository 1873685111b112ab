#!/usr/bin/env bash
# Installs what a new Debian machine lacks, builds everything and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
# The server page is tested in Debian's headless Chromium (tests/MoViSharp.Tests/Server/ServerPageTests.cs).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  echo "test.sh: installing ${need_apt[*]} (Debian packages)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

dotnet build MoViSharp.slnx -c Release -nologo -v quiet
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test tests/MoViSharp.Tests/MoViSharp.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# dotnet's summary block ("Total tests: N", "Passed: N", "Failed: N", "Skipped: N") as the plain closing line CI tools read.
count() { grep -E "^ *$1: +[0-9]+ *$" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
if grep -qE '^Total tests: +[0-9]+' "$log"; then
  echo "$(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
exit "$status"
