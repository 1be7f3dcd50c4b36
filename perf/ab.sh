#!/usr/bin/env bash
# Two settings of the switch, side by side: switches A and B run at once on one card issuer simulator, each with its
# own journal, and the harness loads them in turn, A B A B …, so drift in this shared machine's speed hits both
# alike. Each run writes the page cache back first (as perf/e2e.sh does). Printed per run: host steal, the switch's
# CPU per answered request (its CPU over the whole harness run, warm-up included, over every answer, as perf/e2e.sh
# counts it), errors and latency percentiles.
#
#   A_ARGS="--Journal:InlineCompletionMax=32" B_ARGS="--Journal:InlineCompletionMax=8" bash perf/ab.sh
#   B_ENV="DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1" ROUNDS=4 bash perf/ab.sh       # a runtime setting
#   CONNECTIONS=400 A_ARGS="--Journal:InlineCompletionMax=32" B_ARGS="--Journal:InlineCompletionMax=8" bash perf/ab.sh
#
# A_ARGS/B_ARGS are configuration overrides for the switch's command line, A_ENV/B_ENV VAR=value words for its
# environment; both are split at spaces (no globbing). Output: one line per run on stdout; the harness's JSON per
# run and the logs in perf/results/logs/ab/.
set -euo pipefail
set -f # the settings are split into words, never matched against file names

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
read -r -a A_WORDS <<<"${A_ARGS:-}"
read -r -a B_WORDS <<<"${B_ARGS:-}"
read -r -a A_ENV_WORDS <<<"${A_ENV:-}"
read -r -a B_ENV_WORDS <<<"${B_ENV:-}"
for word in "${A_ENV_WORDS[@]}" "${B_ENV_WORDS[@]}"; do
    [[ $word == *=* ]] || { echo "A_ENV/B_ENV take VAR=value words, not '$word'" >&2; exit 2; }
done
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-50000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
TICK=${TICK:-250us}
CONNECTIONS=${CONNECTIONS:-8}
OUT=$ROOT/perf/results/logs/ab
BUILD=${BUILD:-$OUT/build} # its own: perf/e2e.sh's SKIP_BUILD=1 must not find DLLs of another commit in its folder
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log

for tool in curl jq ss; do command -v "$tool" >/dev/null || { echo "'$tool' is needed" >&2; exit 1; }; done
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for target in src/PaymentSwitch.Host:host src/PaymentSwitch.Simulators:sim perf/PaymentSwitch.LoadTest:load; do
        if ! dotnet build "$ROOT/${target%%:*}" -c Release -nologo -clp:ErrorsOnly -o "$BUILD/${target##*:}" >"$OUT/build-${target##*:}.log" 2>&1; then
            tail -20 "$OUT/build-${target##*:}.log" >&2
            echo "could not build ${target%%:*} (see $OUT/build-${target##*:}.log)" >&2
            exit 1
        fi
    done
fi

HANDED_OUT=" "
pick_port() { # a port outside the ephemeral range that nothing uses and that this script has not handed out yet
    local candidate
    while :; do
        candidate=$((20000 + RANDOM % 12000))
        [[ $HANDED_OUT == *" $candidate "* ]] && continue
        [[ -n $(ss -Htan "( sport = :$candidate or dport = :$candidate )" 2>/dev/null) ]] && continue
        HANDED_OUT+="$candidate "
        echo "$candidate"
        return
    done
}
cpu_jiffies() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo -1; }
host_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9; exit }' /proc/stat; }

STARTED=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/paymentswitch-ab.XXXXXX")
finish() { # SIGTERM to everything started, SIGKILL to what is still there 20 s later
    local pid i
    for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 200; i++)); do
        local alive=0
        for pid in "${STARTED[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${STARTED[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap finish EXIT
trap 'exit 130' INT TERM

SIM=$(pick_port)
dotnet "$BUILD/sim/PaymentSwitch.Simulators.dll" card --listen "127.0.0.1:$SIM" --dialects "$ROOT/config/dialects" \
    --log-level warning >"$OUT/simulator.log" 2>&1 &
SIM_PID=$!
STARTED+=("$SIM_PID")
for ((i = 0; ; i++)); do
    [[ -n $(ss -Hltn "( sport = :$SIM )") ]] && break
    if ! kill -0 "$SIM_PID" 2>/dev/null || ((i >= 300)); then
        tail -5 "$OUT/simulator.log" >&2
        echo "the simulator did not start (see $OUT/simulator.log)" >&2
        exit 1
    fi
    sleep 0.1
done

declare -A ACQ PID
PAN_KEY=$(head -c 32 /dev/urandom | base64)
launch() { # launch NAME, with the words of its settings in LAUNCH_ARGS and LAUNCH_ENV
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
    env "${LAUNCH_ENV[@]}" PAYMENTSWITCH_Journal__PanKey="$PAN_KEY" \
        dotnet "$BUILD/host/PaymentSwitch.dll" --config "$dir/switch.json" "${LAUNCH_ARGS[@]}" >"$OUT/switch-$name.log" 2>&1 &
    PID[$name]=$!
    STARTED+=("${PID[$name]}")
    local i
    for ((i = 0; i < 1200; i++)); do
        curl -fsS "http://127.0.0.1:$status/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "${PID[$name]}" 2>/dev/null || { tail -5 "$OUT/switch-$name.log" >&2; echo "switch $name exited" >&2; exit 1; }
        sleep 0.05
    done
    echo "switch $name not ready after 60 s (see $OUT/switch-$name.log)" >&2
    exit 1
}
LAUNCH_ARGS=("${A_WORDS[@]}") LAUNCH_ENV=("${A_ENV_WORDS[@]}")
launch A
LAUNCH_ARGS=("${B_WORDS[@]}") LAUNCH_ENV=("${B_ENV_WORDS[@]}")
launch B
echo "A: ${A_ARGS:-(defaults)} ${A_ENV:-}"
echo "B: ${B_ARGS:-(defaults)} ${B_ENV:-}"

harness() { # harness NAME DURATION WARMUP [JSON]: in the background, so that a stop signal is taken at once
    local json=()
    [[ -n ${4:-} ]] && json=(--json "$4")
    dotnet "$BUILD/load/PaymentSwitch.LoadTest.dll" --target "127.0.0.1:${ACQ[$1]}" --rate "$RATE" --duration "$2" \
        --warmup "$3" --tick "$TICK" --connections "$CONNECTIONS" --dialects "$ROOT/config/dialects" --quiet \
        "${json[@]}" >"$OUT/harness-$1.log" 2>&1 &
    local pid=$!
    STARTED+=("$pid")
    wait "$pid" || true # a failed run (errors counted) still has its report
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
        when=$(date -u +%H:%M:%S)
        if ((j0 < 0 || j1 < 0)); then
            echo "$when $name round $round: the switch is gone (see $OUT/switch-$name.log)"
            exit 1
        fi
        if ! jq -e '.requests' "$OUT/$name-$round.json" >/dev/null 2>&1; then
            echo "$when $name round $round: no report from the harness (see $OUT/harness-$name.log)"
            continue
        fi
        jq -r --arg when "$when" --arg name "$name" --argjson round "$round" \
            --argjson steal "$(awk -v s=$((steal1 - steal0)) -v t=$((total1 - total0)) 'BEGIN { printf "%.1f", (t > 0 ? 100 * s / t : 0) }')" \
            --argjson cpu "$(((j1 - j0) * 1000000 / $(getconf CLK_TCK)))" '
            "\($when) \($name) round \($round): steal \($steal)% | switch CPU \(if .requests.answered > 0 then ($cpu / .requests.answered * 100 | round / 100) else "-" end) µs/request | errors \(.errors.total) | p50 \(.latencyMs.p50) p90 \(.latencyMs.p90) p99 \(.latencyMs.p99) p99.9 \(.latencyMs["p99.9"]) max \(.latencyMs.max) ms"' \
            "$OUT/$name-$round.json"
    done
done
