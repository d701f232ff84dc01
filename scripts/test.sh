#!/usr/bin/env bash
# Runs every BizKeys test. Installs what the tests need when it is missing (Chromium and its fonts from
# Debian, for the browser tests), then prints one closing line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
    echo "Chromium is missing: installing it from Debian for the browser tests (chromium, fonts-liberation)..."
    apt_install chromium fonts-liberation
fi

results="$(mktemp -d)"
set +e
dotnet test BizKeys.sln --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@"
status=$?
set -e

trx="$(find "$results" -name '*.trx' | head -n 1)"
if [ -n "$trx" ]; then
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    passed="$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")"
    failed="$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")"
    echo "$passed passed, $failed failed"
else
    echo "No test results were written (did the build fail?)."
    echo "0 passed, 0 failed"
fi
exit "$status"
