#!/usr/bin/env bash
# Two settings of the switch, side by side: switches A and B run at once on one card issuer simulator, each with its
# own journal, and the harness loads them in turn, A B A B …, so drift in this shared machine's speed hits both
# alike. Each run writes the page cache back first (as perf/e2e.sh does). Printed per run: host steal, the switch's
# CPU per answered request (from /proc/PID/stat), errors and latency percentiles.
#
#   A_ARGS="--Journal:InlineCompletionMax=32" B_ARGS="--Journal:InlineCompletionMax=8" bash perf/ab.sh
#   B_ENV="DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1" ROUNDS=4 bash perf/ab.sh       # a runtime setting
#   A_ARGS="--Journal:Durability=none --Journal:AllowUnsafeNone=true" RATE=100000 TICK=1ms bash perf/ab.sh
#
# A_ARGS/B_ARGS are configuration overrides on the switch's command line; A_ENV/B_ENV are VAR=value words.
# Output: one line per run on stdout; the harness's JSON per run and the logs in perf/results/logs/ab/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
A_ARGS=${A_ARGS:-}
B_ARGS=${B_ARGS:-}
A_ENV=${A_ENV:-}
B_ENV=${B_ENV:-}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-50000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
TICK=${TICK:-250us}
CONNECTIONS=${CONNECTIONS:-8}
BUILD=${BUILD:-$ROOT/perf/results/logs/build}
OUT=$ROOT/perf/results/logs/ab
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log

for tool in curl jq ss; do command -v "$tool" >/dev/null || { echo "'$tool' is needed" >&2; exit 1; }; done
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for target in src/PaymentSwitch.Host:host src/PaymentSwitch.Simulators:sim perf/PaymentSwitch.LoadTest:load; do
        dotnet build "$ROOT/${target%%:*}" -c Release -nologo -clp:ErrorsOnly -o "$BUILD/${target##*:}" >"$OUT/build-${target##*:}.log"
    done
fi

pick_port() { # a port outside the ephemeral range that nothing listens on or talks from
    local candidate
    while :; do
        candidate=$((20000 + RANDOM % 12000))
        [[ -z $(ss -Htan "( sport = :$candidate or dport = :$candidate )" 2>/dev/null) ]] && { echo "$candidate"; return; }
    done
}
cpu_jiffies() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
host_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9; exit }' /proc/stat; }

STARTED=()
WORK=$(mktemp -d /tmp/paymentswitch-ab.XXXXXX)
finish() {
    local pid
    for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap finish EXIT

SIM=$(pick_port)
dotnet "$BUILD/sim/PaymentSwitch.Simulators.dll" card --listen "127.0.0.1:$SIM" --dialects "$ROOT/config/dialects" \
    --log-level warning >"$OUT/simulator.log" 2>&1 &
STARTED+=($!)

declare -A ACQ PID
PAN_KEY=$(head -c 32 /dev/urandom | base64)
launch() { # launch NAME ARGS ENV
    local name=$1 dir=$WORK/$1 status
    mkdir -p "$dir"
    ACQ[$name]=$(pick_port)
    status=$(pick_port)
    printf '[{"Prefix":"4","Issuer":"card-sim"},{"Low":"510000","High":"559999","Issuer":"card-sim"}]\n' >"$dir/routes.json"
    cat >"$dir/switch.json" <<EOF
{ "Switch": { "InstitutionId": "999999", "MaxInFlight": 100000 },
  "Acquirers": [ { "Name": "pos", "Listen": "127.0.0.1:${ACQ[$name]}", "Dialect": "iso87-ascii", "Framing": "len2" } ],
  "Issuers": [ { "Id": "card-sim", "Kind": "card", "Endpoints": [ "127.0.0.1:$SIM" ], "Dialect": "iso87-ascii",
                 "Framing": "len2", "Connections": 2, "TimeoutMs": 2000 } ],
  "Routes": { "File": "routes.json", "Watch": false }, "Dialects": "$ROOT/config/dialects",
  "Journal": { "Directory": "journal", "Durability": "strict" }, "Status": { "Listen": "127.0.0.1:$status" },
  "Simulators": { "Embedded": false } }
EOF
    # shellcheck disable=SC2086 # the settings are words on purpose
    env $3 PAYMENTSWITCH_Journal__PanKey="$PAN_KEY" dotnet "$BUILD/host/PaymentSwitch.dll" --config "$dir/switch.json" $2 \
        >"$OUT/switch-$name.log" 2>&1 &
    PID[$name]=$!
    STARTED+=($!)
    for _ in $(seq 1200); do
        curl -fsS "http://127.0.0.1:$status/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "${PID[$name]}" 2>/dev/null || { tail -5 "$OUT/switch-$name.log" >&2; echo "switch $name exited" >&2; exit 1; }
        sleep 0.05
    done
    echo "switch $name not ready after 60 s" >&2
    exit 1
}
launch A "$A_ARGS" "$A_ENV"
launch B "$B_ARGS" "$B_ENV"
echo "A: ${A_ARGS:-(defaults)} ${A_ENV}"
echo "B: ${B_ARGS:-(defaults)} ${B_ENV}"

harness() { # harness NAME DURATION WARMUP [JSON]
    dotnet "$BUILD/load/PaymentSwitch.LoadTest.dll" --target "127.0.0.1:${ACQ[$1]}" --rate "$RATE" --duration "$2" \
        --warmup "$3" --tick "$TICK" --connections "$CONNECTIONS" --dialects "$ROOT/config/dialects" --quiet \
        ${4:+--json "$4"} >/dev/null 2>&1 || true
}
# An unrecorded run on each first: compiled code, grown pools.
for name in A B; do harness "$name" 10s 2s; done

for round in $(seq "$ROUNDS"); do
    for name in A B; do
        sync
        read -r total0 steal0 < <(host_ticks)
        j0=$(cpu_jiffies "${PID[$name]}")
        harness "$name" "$DURATION" "$WARMUP" "$OUT/$name-$round.json"
        j1=$(cpu_jiffies "${PID[$name]}")
        read -r total1 steal1 < <(host_ticks)
        jq -r --arg when "$(date -u +%H:%M:%S)" --arg name "$name" --argjson round "$round" \
            --argjson steal $(((steal1 - steal0) * 100 / (total1 - total0 + 1))) \
            --argjson cpu "$(((j1 - j0) * 1000000 / $(getconf CLK_TCK)))" '
            "\($when) \($name) round \($round): steal \($steal)% | switch CPU \(if .requests.answered > 0 then ($cpu / .requests.answered * 100 | round / 100) else "-" end) µs/request | errors \(.errors.total) | p50 \(.latencyMs.p50) p90 \(.latencyMs.p90) p99 \(.latencyMs.p99) p99.9 \(.latencyMs["p99.9"]) max \(.latencyMs.max) ms"' \
            "$OUT/$name-$round.json"
    done
done
