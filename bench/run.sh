#!/usr/bin/env bash
# BizKeys load benchmark, one command:  bench/run.sh [--postgres] [--seconds S] [--keys N] [--rounds R]
#
# Publishes Release builds, seeds a database with seed-demo (N keys, 1,000 accounts, a week of usage), starts the
# real app (BizKeys.Admin, Production environment, default settings, logging included) and a bare ASP.NET Core
# endpoint answering the same JSON as GET /api/v1/me, both on loopback and pinned to core 0, and drives them with
# wrk (Debian's) pinned to core 1. After a warm-up it interleaves every load R times and prints requests/s,
# p50/p99 and the ratios the performance targets are written in (docs/performance.md). During each load of the
# app, dotnet-counters reads BizKeys' database meter: commands per request and write transactions per second.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10; keys=150000; rounds=3; provider=Sqlite
while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) provider=Postgres ;;
        --seconds) seconds="$2"; shift ;;
        --keys) keys="$2"; shift ;;
        --rounds) rounds="$2"; shift ;;
        *) echo "usage: bench/run.sh [--postgres] [--seconds S] [--keys N] [--rounds R]" >&2; exit 2 ;;
    esac
    shift
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
command -v wrk >/dev/null || { echo "wrk is missing: installing it from Debian..."; apt_install wrk; }
source scripts/postgres.sh
dotnet tool restore >/dev/null

work="$(mktemp -d /tmp/bizkeys-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    postgres_stop
    rm -rf "$work"
}
trap cleanup EXIT

server_cpu=0; load_cpu=1
if [ "$(nproc)" -lt 2 ]; then server_cpu=0; load_cpu=0; fi
pin() { local cpu="$1"; shift; if command -v taskset >/dev/null; then taskset -c "$cpu" "$@"; else "$@"; fi; }

echo "# BizKeys load benchmark: $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $provider"
echo "# server and bare endpoint on core $server_cpu, wrk -t1 -c32 -d${seconds}s --latency on core $load_cpu; $rounds rounds after a warm-up"
dotnet publish BizKeys.Admin -c Release -o "$work/app" -v quiet -nologo >/dev/null
dotnet publish BizKeys.Benchmarks -c Release -o "$work/bench" -v quiet -nologo >/dev/null

export ASPNETCORE_ENVIRONMENT=Production BizKeys__LogDirectory="$work/logs" DOTNET_CLI_TELEMETRY_OPTOUT=1
if [ "$provider" = Postgres ]; then
    postgres_start >/dev/null
    psql -h 127.0.0.1 -p "$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$BIZKEYS_TEST_POSTGRES")" -U postgres -q \
        -c "CREATE DATABASE bizkeys_bench ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
    export Database__Provider=Postgres ConnectionStrings__BizKeys="$BIZKEYS_TEST_POSTGRES;Database=bizkeys_bench"
else
    export Database__Provider=Sqlite ConnectionStrings__BizKeys="Data Source=$work/data/bizkeys.db"
fi
app() { dotnet "$work/app/BizKeys.Admin.dll" "$@"; }

started=$(date +%s.%N)
app seed-demo --accounts 1000 --keys "$keys" --usage-days 7 --credentials "$work/usable.txt" | tail -n 1
# D rotates over up to 100,000 distinct keys, in a shuffled order (the seed writes them account by account); with more
# usable keys than that, D+ rotates over every one of them (about 69 % of the seeded keys are usable from 127.0.0.1).
shuf --random-source=<(yes) "$work/usable.txt" >"$work/all-usable.txt"
head -n 100000 "$work/all-usable.txt" >"$work/in-use.txt"
[ "$(wc -l <"$work/all-usable.txt")" -gt 100000 ] || rm "$work/all-usable.txt"
echo "D rotates over $(wc -l <"$work/in-use.txt") distinct keys$([ -f "$work/all-usable.txt" ] && echo ", D+ over $(wc -l <"$work/all-usable.txt")")"
echo "seed-demo: $(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)") s for $keys keys"
app keys create --account "Acme CRM 000001" --name "Benchmark bot" --permissions keys:read >"$work/bot.txt"
bot_key="$(sed -n 1p "$work/bot.txt")"; bot_secret="$(sed -n 2p "$work/bot.txt")"
basic="Basic $(printf '%s:%s' "$bot_key" "$bot_secret" | base64 -w0)"
dotnet "$work/bench/BizKeys.Benchmarks.dll" forged 10000 "$work/forged-pairs.txt"
head -c 100000 /dev/urandom | base64 -w 60 | head -n 10000 | sed 's/^/x:/' >"$work/garbage-pairs.txt"
# wrk sends ready header values (bench/rotate.lua)
for list in in-use all-usable forged garbage; do
    src="$work/$list.txt"; [ "$list" = in-use ] || [ "$list" = all-usable ] || src="$work/$list-pairs.txt"
    [ -f "$src" ] || continue
    dotnet "$work/bench/BizKeys.Benchmarks.dll" basic "$src" "$work/$list.headers"
done

port_app=$(postgres_free_port); port_bare=$(postgres_free_port)
launched=$(date +%s.%N)
(exec taskset -c "$server_cpu" dotnet "$work/app/BizKeys.Admin.dll" --urls "http://127.0.0.1:$port_app" >"$work/app.out" 2>&1) &
pids+=($!); app_pid=$!
until curl -fs "http://127.0.0.1:$port_app/healthz" >/dev/null 2>&1; do sleep 0.05; done
rss() { echo $(( $(grep VmRSS "/proc/$app_pid/status" | awk '{print $2}') / 1024 )); }
echo "app start to first healthy answer with $keys keys in the database: $(printf '%.2f' "$(echo "$(date +%s.%N) - $launched" | bc)") s; RSS $(rss) MB"
(exec taskset -c "$server_cpu" dotnet "$work/bench/BizKeys.Benchmarks.dll" bare "http://127.0.0.1:$port_bare" >/dev/null 2>&1) &
pids+=($!)
until curl -fs "http://127.0.0.1:$port_bare/api/v1/me" >/dev/null 2>&1; do sleep 0.05; done

# Waits one usage-flush interval (5 s), so the previous load's counts are written before the next load starts, then
# until the app is idle (below 5 % of a core over half a second, at most 30 s): it writes the previous load's queued
# log lines after that load ends, on the core the bare endpoint shares with it.
settle() {
    local before after
    sleep 5.5
    for _ in $(seq 1 60); do
        before=$(awk '{print $14 + $15}' "/proc/$app_pid/stat"); sleep 0.5; after=$(awk '{print $14 + $15}' "/proc/$app_pid/stat")
        [ $((after - before)) -le 2 ] && break
    done
    sleep 1.2 # and the log file's once-a-second flush has run
    return 0
}

# name | url | header or lua file | pid whose database meter to read (the app's; none for the bare endpoint)
load() {
    local name="$1" url="$2" how="${3:-}" counted="${4:-}" out
    settle
    local before; before=$(du -sb "$work/logs" | cut -f1)
    rm -f "$work/counters.csv"
    if [ -n "$counted" ]; then
        dotnet dotnet-counters collect -p "$counted" --counters BizKeys.Database --format csv -o "$work/counters.csv" \
            --refresh-interval 1 --duration "00:00:00:$(printf '%02d' $((seconds + 2)))" >/dev/null 2>&1 &
        local counters=$!
        sleep 1
    fi
    if [ -z "$how" ]; then out=$(pin "$load_cpu" wrk -t1 -c32 -d"${seconds}s" --latency "$url")
    elif [ -f "$how" ]; then out=$(CREDENTIALS="$how" pin "$load_cpu" wrk -t1 -c32 -d"${seconds}s" --latency -s bench/rotate.lua "$url")
    else out=$(pin "$load_cpu" wrk -t1 -c32 -d"${seconds}s" --latency -H "$how" "$url"); fi
    [ -n "$counted" ] && wait "$counters"
    local rps p50 p99 requests after db=""
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    settle
    after=$(du -sb "$work/logs" | cut -f1)
    if [ -n "$counted" ] && [ ! -s "$work/counters.csv" ]; then
        db="  db: not read (dotnet-counters did not attach in time)"
    elif [ -s "$work/counters.csv" ]; then # a header alone: attached, and nothing was asked of the database
        local commands writes
        commands=$(awk -F, '$3 ~ /bizkeys.db.commands/ {s += $5} END {print s + 0}' "$work/counters.csv")
        writes=$(awk -F, '$3 ~ /bizkeys.db.write_transactions/ {s += $5} END {print s + 0}' "$work/counters.csv")
        db=$(printf '  db %.4f queries/req, %.2f write tx/s' "$(echo "$commands / $requests" | bc -l)" "$(echo "$writes / $seconds" | bc -l)")
    fi
    printf '%-34s %10.0f req/s  p50 %8s  p99 %8s  log %6.1f B/req%s\n' "$name" "$rps" "$p50" "$p99" "$(echo "($after - $before) / $requests" | bc -l)" "$db"
    echo "$name $rps $p99" >>"$work/results.txt"
}

echo "warm-up (30 s of the bare endpoint, 60 s of the app: on one core, tiered compilation takes that long to settle)..."
seconds_saved=$seconds; seconds=30
load warm-bare "http://127.0.0.1:$port_bare/api/v1/me" >/dev/null
seconds=60
load warm-app "http://127.0.0.1:$port_app/api/v1/me" "Authorization: $basic" "" >/dev/null
seconds=$seconds_saved
settle; warm_rss=$(rss)
# The first sight of each key (the cold path: one read each), then every key is answered from memory.
first_pass() {
    settle
    local before; before=$(rss)
    local started; started=$(date +%s.%N)
    CREDENTIALS="$1" pin "$load_cpu" wrk -t1 -c32 -d3600s -s bench/once.lua "http://127.0.0.1:$port_app/api/v1/me" >/dev/null
    local took; took=$(echo "$(date +%s.%N) - $started" | bc)
    settle
    local count; count=$(wc -l <"$1")
    # The cache's own count (its meter at /metrics), and the process's growth since the warm-up per key it holds.
    local entries; entries=$(curl -fs "http://127.0.0.1:$port_app/metrics" | awk '/^bizkeys_key_cache_entries/ {print $2}')
    printf '%-34s %10.0f req/s  (%s keys in %.1f s)  %s keys cached; RSS %s -> %s MB since the warm-up (%s MB): %.0f B per cached key\n' \
        "first pass over $(basename "$1" .headers)" "$(echo "$count / $took" | bc -l)" "$count" "$took" "$entries" "$before" "$(rss)" "$warm_rss" \
        "$(echo "($(rss) - $warm_rss) * 1048576 / $entries" | bc -l)"
}
[ -s "$work/in-use.headers" ] && first_pass "$work/in-use.headers"
[ -s "$work/all-usable.headers" ] && first_pass "$work/all-usable.headers"
: >"$work/results.txt"
for round in $(seq 1 "$rounds"); do
    echo "round $round"
    load "A bare endpoint" "http://127.0.0.1:$port_bare/api/v1/me"
    load "B /me, valid key" "http://127.0.0.1:$port_app/api/v1/me" "Authorization: $basic" "$app_pid"
    load "C /me, no credentials (401)" "http://127.0.0.1:$port_app/api/v1/me" "" "$app_pid"
    [ -s "$work/in-use.txt" ] && load "D /me, distinct keys in use" "http://127.0.0.1:$port_app/api/v1/me" "$work/in-use.headers" "$app_pid"
    [ -s "$work/all-usable.headers" ] && load "D+ /me, every usable key" "http://127.0.0.1:$port_app/api/v1/me" "$work/all-usable.headers" "$app_pid"
done
# The floods last: they put 127.0.0.1 over its failed-attempt limit for a minute (keys already in memory still pass).
echo "floods"
load "E /me, forged credentials (401)" "http://127.0.0.1:$port_app/api/v1/me" "$work/forged.headers" "$app_pid"
load "F /me, garbage credentials (401)" "http://127.0.0.1:$port_app/api/v1/me" "$work/garbage.headers" "$app_pid"
echo "app RSS after the loads: $(( $(grep VmRSS /proc/$app_pid/status | awk '{print $2}') / 1024 )) MB"

median() { grep "^$1 " "$work/results.txt" | awk '{print $(NF-1)}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000} print v}'; }
median_p99() { grep "^$1 " "$work/results.txt" | awk '{print $NF}' | ms | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { echo "scale=3; $(median "$1") / $(median "$2")" | bc; }
echo "medians over $rounds rounds:"
echo "  real app /me valid  / bare endpoint        = $(ratio 'B /me, valid key' 'A bare endpoint')   (target >= 0.8)"
echo "  /me valid           / /me no credentials   = $(ratio 'B /me, valid key' 'C /me, no credentials (401)')   (target >= 0.93)"
echo "  p99 /me valid       / p99 no credentials   = $(echo "scale=3; $(median_p99 'B /me, valid key') / $(median_p99 'C /me, no credentials (401)')" | bc)   (target <= 1.25)"
[ -s "$work/in-use.txt" ] && echo "  /me distinct keys   / /me no credentials   = $(ratio 'D /me, distinct keys in use' 'C /me, no credentials (401)')   (target >= 0.85)"
[ -s "$work/all-usable.headers" ] && echo "  /me every usable key / /me no credentials  = $(ratio 'D+ /me, every usable key' 'C /me, no credentials (401)')   (target >= 0.85)"
echo "  forged flood        / /me no credentials   = $(ratio 'E /me, forged credentials (401)' 'C /me, no credentials (401)')   (target >= 0.9)"
echo "  garbage flood       / /me no credentials   = $(ratio 'F /me, garbage credentials (401)' 'C /me, no credentials (401)')   (target >= 0.9)"
