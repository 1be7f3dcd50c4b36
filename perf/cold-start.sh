#!/usr/bin/env bash
# How fast a freshly started switch answers: the quick-start switch (config/switch.json, embedded simulators, journal
# strict in a temporary folder) is started, and from the moment /health/ready says yes the harness offers RATE per
# second for SECONDS; printed per setting: seconds to ready, answers in each of the first seconds, p99 over the run,
# and the switch's RSS at ready and after. Settings alternate, ROUNDS times, so drift in the machine hits all alike.
#
#   bash perf/cold-start.sh                                  # warm-up off (0) against the shipped warm-up (30)
#   WARMUPS="0 30" ROUNDS=3 RATE=50000 SECONDS_RUN=6 bash perf/cold-start.sh
#   SWITCH_ENV="DOTNET_TieredPGO=0" WARMUPS=0 bash perf/cold-start.sh   # a runtime setting instead
#
# Output: one line per run on stdout; the harness's JSON per run and the switch logs in perf/results/logs/cold-start/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WARMUPS=${WARMUPS:-"0 30"}
ROUNDS=${ROUNDS:-2}
RATE=${RATE:-50000}
SECONDS_RUN=${SECONDS_RUN:-6}
SWITCH_ENV=${SWITCH_ENV:-}
BUILD=${BUILD:-$ROOT/perf/results/logs/build}
OUT=$ROOT/perf/results/logs/cold-start
mkdir -p "$OUT"

for tool in curl jq ss; do command -v "$tool" >/dev/null || { echo "'$tool' is needed" >&2; exit 1; }; done
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    dotnet build "$ROOT/src/PaymentSwitch.Host" -c Release -nologo -clp:ErrorsOnly -o "$BUILD/host" >"$OUT/build-host.log"
    dotnet build "$ROOT/perf/PaymentSwitch.LoadTest" -c Release -nologo -clp:ErrorsOnly -o "$BUILD/load" >"$OUT/build-load.log"
fi

free_port() { # a port outside the ephemeral range that nothing uses
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))
        [[ -z $(ss -Htan "( sport = :$port )" 2>/dev/null) ]] && { echo "$port"; return; }
    done
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

SWITCH_PID=
WORK=
cleanup() {
    [[ -n $SWITCH_PID ]] && kill -KILL "$SWITCH_PID" 2>/dev/null || true
    [[ -n $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT

one_run() { # one_run WARMUP_SECONDS ROUND
    local warm=$1 round=$2 acq status card wallet t0 t1 rss0 rss1 name
    WORK=$(mktemp -d /tmp/paymentswitch-cold-start.XXXXXX)
    acq=$(free_port) status=$(free_port) card=$(free_port) wallet=$(free_port)
    name=warmup-$warm-round-$round
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086 # SWITCH_ENV is words on purpose
    env $SWITCH_ENV dotnet "$BUILD/host/PaymentSwitch.dll" --config "$ROOT/config/switch.json" \
        --Switch:WarmUpMaxSeconds="$warm" --Journal:Directory="$WORK/journal" \
        --Acquirers:0:Listen="127.0.0.1:$acq" --Status:Listen="127.0.0.1:$status" \
        --Simulators:CardListen="127.0.0.1:$card" --Simulators:WalletListen="127.0.0.1:$wallet" \
        --Issuers:0:Endpoints:0="127.0.0.1:$card" --Issuers:1:BaseUrl="http://127.0.0.1:$wallet" \
        >"$OUT/$name.log" 2>&1 &
    SWITCH_PID=$!
    for _ in $(seq 1800); do
        curl -fsS "http://127.0.0.1:$status/health/ready" >/dev/null 2>&1 && break
        kill -0 "$SWITCH_PID" 2>/dev/null || { echo "the switch exited; see $OUT/$name.log" >&2; exit 1; }
        sleep 0.05
    done
    t1=$(date +%s.%N)
    rss0=$(rss_kb "$SWITCH_PID")
    dotnet "$BUILD/load/PaymentSwitch.LoadTest.dll" --target "127.0.0.1:$acq" --rate "$RATE" --duration "${SECONDS_RUN}s" \
        --warmup 0s --connections 8 --dialects "$ROOT/config/dialects" --quiet --json "$OUT/$name.json" >/dev/null 2>&1 || true
    rss1=$(rss_kb "$SWITCH_PID")
    kill -TERM "$SWITCH_PID"
    wait "$SWITCH_PID" 2>/dev/null || true
    SWITCH_PID=
    printf '%s warm-up %ss%s: ready after %.1f s | answered per second: %s | p99 %s ms, errors %s | RSS %d MB at ready, %d MB after\n' \
        "$(date -u +%H:%M:%S)" "$warm" "${SWITCH_ENV:+ ($SWITCH_ENV)}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        "$(jq -r --argjson n "$SECONDS_RUN" '[.intervals[:$n][] | .answeredPerSecond | round | tostring] | join(" ")' "$OUT/$name.json")" \
        "$(jq -r '.latencyMs.p99' "$OUT/$name.json")" "$(jq -r '.errors.total' "$OUT/$name.json")" $((rss0 / 1024)) $((rss1 / 1024))
    grep -o 'Warm-up.*' "$OUT/$name.log" | sed 's/^/    /' || true
    rm -rf "$WORK"
    WORK=
}

for round in $(seq "$ROUNDS"); do
    for warm in $WARMUPS; do one_run "$warm" "$round"; done
done
