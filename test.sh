#!/usr/bin/env bash
# Installs what a new Debian machine lacks, builds everything and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
# The server page is tested in Debian's headless Chromium (tests/MoViSharp.Tests/Server/ServerPageTests.cs).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The PostgreSQL event log is tested against a local Debian cluster.
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
if ((${#need_apt[@]})); then
  echo "test.sh: installing ${need_apt[*]} (Debian packages)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if [ -z "${MOVISHARP_TEST_POSTGRES:-}" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  # Start the newest local cluster and give the tests a role and a database of their own.
  as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
  pg_version="$(ls /etc/postgresql | sort -n | tail -n 1)"
  ( [ "$(id -u)" -eq 0 ] && pg_ctlcluster "$pg_version" main start || sudo pg_ctlcluster "$pg_version" main start ) 2>/dev/null || true
  as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='movisharp'" | grep -q 1 \
    || as_postgres psql -qc "CREATE ROLE movisharp LOGIN PASSWORD 'movisharp'"
  as_postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname='movisharp_test'" | grep -q 1 \
    || as_postgres psql -qc "CREATE DATABASE movisharp_test OWNER movisharp"
  export MOVISHARP_TEST_POSTGRES="Host=localhost;Username=movisharp;Password=movisharp;Database=movisharp_test"
fi
command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

dotnet build MoViSharp.slnx -c Release -nologo -v quiet
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# --blame: if the test host dies, dotnet names the tests that were running (no dump is written).
dotnet test tests/MoViSharp.Tests/MoViSharp.Tests.csproj -c Release --no-build -nologo --blame \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# dotnet's summary block ("Total tests: N", "Passed: N", "Failed: N", "Skipped: N") as the plain closing line CI tools read.
count() { grep -E "^ *$1: +[0-9]+ *$" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
if grep -qE '^Total tests: +[0-9]+' "$log"; then
  echo "$(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
exit "$status"
