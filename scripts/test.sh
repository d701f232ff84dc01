#!/usr/bin/env bash
# Runs every BizKeys test. Installs what the tests need when it is missing (Chromium and its fonts for the browser
# tests, PostgreSQL for the PostgreSQL pass), starts a throwaway PostgreSQL and stops it at the end, then prints one
# closing line: "N passed, N failed" (both passes together).
#   pass 1: every test on SQLite (the embedded default), except the several-instance ones
#   pass 2: the database-facing tests again on PostgreSQL (BIZKEYS_TEST_PROVIDER=Postgres), with the tests of
#           several instances sharing it (Category=Cluster; nginx in front for the browser journey)
# Other arguments (for example --blame-hang-timeout 5m) go to both runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
source scripts/postgres.sh

if ! command -v chromium >/dev/null 2>&1; then
    echo "Chromium is missing: installing it from Debian for the browser tests (chromium, fonts-liberation)..."
    apt_install chromium fonts-liberation
fi

if [ ! -x /usr/sbin/nginx ]; then
    echo "nginx is missing: installing it from Debian for the load-balancer tests (nginx-light)..."
    apt_install nginx-light || apt_install nginx
fi

results="$(mktemp -d)"
trap 'postgres_stop; rm -rf "$results"' EXIT
status=0

dotnet build BizKeys.sln -v quiet -nologo | grep -E "error|Warn|warn" || true
set +e
echo "== Pass 1: every test on SQLite"
dotnet test BizKeys.sln --no-build --logger "trx;LogFileName=sqlite.trx" --results-directory "$results" \
    --filter "Category!=Cluster" "$@" || status=1
echo "== Pass 2: the database-facing tests on PostgreSQL"
if postgres_start; then
    BIZKEYS_TEST_PROVIDER=Postgres dotnet test BizKeys.sln --no-build --logger "trx;LogFileName=postgres.trx" \
        --results-directory "$results" --filter "(Category!=Browser&Category!=Durability&Category!=SqliteFile)|Category=Cluster" "$@" || status=1
else
    echo "PostgreSQL could not be started: the PostgreSQL pass fails (see above)."
    status=1
fi
set -e

passed=0; failed=0; files=0
while IFS= read -r trx; do
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
    failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")))
    files=$((files + 1))
done < <(find "$results" -name '*.trx')
if [ "$files" -lt 2 ]; then
    echo "Only $files of 2 test passes wrote results (did the build fail?)."
    status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
