#!/usr/bin/env bash
# End-to-end performance run of PaymentSwitch on this machine, in one go:
#
#   bash perf/e2e.sh                                   # everything, defaults below
#   DURATION=20s RATE=100000 bash perf/e2e.sh          # other headline rate / length
#   PHASES="straight switch" bash perf/e2e.sh          # only some phases (see PHASES below)
#
# It builds Release into perf/results/logs/build, starts the card issuer simulator and two switches (journal
# strict, and journal none for the comparison) on free loopback ports, and measures with the load harness:
#
#   straight   harness -> simulator (no switch): the machine's ceiling for the same load, at RATE and RATE/2
#   switch     harness -> switch (strict) -> simulator at RATE (chart kept) and RATE/2; the same against the
#              switch with Journal:Durability=none, interleaved strict/none/strict/none so drift in the machine's
#              load hits both alike
#   floor      the journal alone at RATE/2 (perf/PaymentSwitch.JournalFloor: two durable appends in a row per
#              authorisation, strict, direct writes, on the same file system as the switches' journals, with the
#              switches and the simulator idle): the latency that durability by itself puts under the strict switch's
#              figures, measured right after them, for FLOOR_SECONDS
#   sweep      highest rate with p99 <= SWEEP_P99_MS, no errors and >= 98% of the offered rate answered, for
#              straight, strict and none, interleaved rate by rate (ascending SWEEP_RATES, then SWEEP_REFINE
#              bisection steps)
#   terminals  TERMINALS connections in terminals mode (one request in flight each): open loop at
#              TERMINALS_RATE, then closed loop (as fast as they can)
#   idle       IDLE_CONNECTIONS connections that send nothing (perf/PaymentSwitch.IdleConnections), VmRSS of the
#              switch from /proc/PID/status: on the strict switch after all the load above, and on a fresh switch
#   profile    one more run at RATE through a separate strict switch while `perf record -a -g` samples the
#              machine; flat profiles per process in logs/ (needs perf; skipped when it is missing)
#   jitter     how late this machine wakes a sleeping thread when nothing runs: before anything of ours starts, and
#              again at the end with our processes idle (cyclictest, one ordinary SCHED_OTHER thread per CPU, every
#              250 µs for JITTER_SECONDS). A machine that wakes 1% of threads over 1 ms late cannot hold any p99 <= 1 ms,
#              whatever runs on it; the host's steal comes in bursts, so the two bracket the run rather than describe
#              every minute of it. Needs cyclictest (Debian package rt-tests); skipped when it is missing.
#
# Output: perf/results/e2e-summary.json, perf/results/switch-strict-<RATE>.svg/.html (chart of the through-the-
# switch run), the harness's JSON for every run in perf/results/runs/, logs in perf/results/logs/.
# Exit status: 0 when the run completed (floors missed are reported, not failed); 1 when something could not start.
#
# Every run records the machine's 1-minute load average and the CPU split between harness, switch, simulator and
# everything else (from /proc/stat and /proc/PID/stat): on a shared machine "other" CPU is time taken from the three
# processes under test, so figures from a run with a large "other" share are pessimistic.
# The whole script is one { … } block: bash parses it completely before running it, so editing this file while it
# runs cannot change what the run does.
{
set -euo pipefail

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RESULTS=${RESULTS:-$ROOT/perf/results}
LOGS=$RESULTS/logs
RUNS=$RESULTS/runs

# ---- options (environment) -------------------------------------------------------------------------------------
RATE=${RATE:-100000}                       # headline rate, authorisations/s (acquirer mode)
DURATION=${DURATION:-20s}                  # measured time per headline run
WARMUP=${WARMUP:-5s}                       # warm-up per run (excluded from latency)
CONNECTIONS=${CONNECTIONS:-8}              # acquirer connections
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-1000}       # harness bound per connection
TICK=${TICK:-1ms}                          # harness scheduler tick
HALF_TICK=${HALF_TICK:-250us}              # tick of the RATE/2 runs, which judge p99 <= 1 ms: a request waits up to one
                                           # tick before it is sent and that wait counts, so a 1 ms tick alone puts p99
                                           # near 1 ms (measured: straight p99 3.9 ms at 1 ms, 0.42 ms at 250 µs)
REPEATS=${REPEATS:-1}                      # strict/none pairs per comparison rate
SWEEP_RATES=${SWEEP_RATES:-"5000 10000 20000 40000 60000 80000 100000 120000 150000 200000 300000 400000"}
SWEEP_REFINE=${SWEEP_REFINE:-2}            # bisection steps after the first failing rate
SWEEP_DURATION=${SWEEP_DURATION:-10s}
SWEEP_WARMUP=${SWEEP_WARMUP:-3s}
SWEEP_P99_MS=${SWEEP_P99_MS:-10}
TERMINALS=${TERMINALS:-1000}
TERMINALS_RATE=${TERMINALS_RATE:-10000}    # open-loop rate over all terminals (10/s each by default)
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
IDLE_SETTLE_SECONDS=${IDLE_SETTLE_SECONDS:-10}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-256}
ISSUER_CONNECTIONS=${ISSUER_CONNECTIONS:-2} # switch -> simulator connections
PHASES=${PHASES:-"jitter straight switch floor sweep terminals idle profile"}
JITTER_SECONDS=${JITTER_SECONDS:-15}
FLOOR_SECONDS=${FLOOR_SECONDS:-15}
PROFILE_SECONDS=${PROFILE_SECONDS:-10}
PREWARM=${PREWARM:-15s}                    # unrecorded run at RATE/2 on each new switch first (JIT tiers, pools)
QUIET_LOAD=${QUIET_LOAD:-0}                # >0: before each run wait (at most QUIET_WAIT_SECONDS) for loadavg below it
QUIET_WAIT_SECONDS=${QUIET_WAIT_SECONDS:-60}
STEAL_MAX_PERCENT=${STEAL_MAX_PERCENT:-5}  # >0: before each run wait (at most QUIET_WAIT_SECONDS) for host steal below it
SYNC_BEFORE_RUN=${SYNC_BEFORE_RUN:-1}      # 1: before each run, write back every dirty page on the machine (sync). Without
                                           # it a run inherits the write-back of the run before: the `none` switch leaves
                                           # ~300 MB of journal in the page cache, and its write-back queued ahead of the
                                           # strict journal's O_DSYNC writes put 50-120 ms stalls every ~5 s (the flusher's
                                           # period) into the strict run after it (measured 2026-11-22 18:48-18:53: strict
                                           # 50,000/s after a `none` run, max 47-65 ms; with sync between, 10-15 ms)
SKIP_BUILD=${SKIP_BUILD:-0}
SWITCH_ENV=${SWITCH_ENV:-}                 # extra VAR=value words for the switch processes (experiments), e.g.
                                           # SWITCH_ENV="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"

# Floors this run is judged against (reported, not enforced).
FLOOR_RATE=${FLOOR_RATE:-100000}
FLOOR_HALF_P99_MS=${FLOOR_HALF_P99_MS:-1}

HALF_RATE=$((RATE / 2))
BUILD=${BUILD:-$LOGS/build}
mkdir -p "$LOGS" "$RUNS"
rm -f "$LOGS"/*.log "$LOGS"/*.txt "$LOGS"/*.err "$LOGS"/*.cpu "$LOGS"/*.prom "$RUNS"/*.json 2>/dev/null || true
E2E_LOG=$LOGS/e2e.log
: >"$E2E_LOG"

log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$E2E_LOG" >&2; }
die() { log "FAILED: $*"; exit 1; }

for tool in curl ss jq awk; do command -v "$tool" >/dev/null || die "'$tool' is needed (apt-get install -y curl iproute2 jq gawk)"; done
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is needed"

# ---- processes: every one started is recorded and stopped on exit, whatever happens ----------------------------
PIDS=()
RUN_DIRS=()
stop_pid() {  # stop_pid PID [seconds]: SIGTERM, then SIGKILL after the grace period
    local pid=$1 grace=${2:-30} i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    log "pid $pid did not stop within ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do stop_pid "$pid" 20; done
    local dir
    for dir in "${RUN_DIRS[@]}"; do rm -rf "$dir"; done   # journals of this run (can be GBs)
    [[ $rc -ne 0 ]] && log "exit status $rc; logs in $LOGS"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- file descriptors: the switch and the idle-connection tool each need IDLE_CONNECTIONS + some ----------------
NEED_FDS=$((IDLE_CONNECTIONS + 2048))
HARD_FDS=$(ulimit -Hn)
if [[ $HARD_FDS != unlimited && $HARD_FDS -lt $NEED_FDS ]]; then
    log "ulimit -Hn is $HARD_FDS (< $NEED_FDS needed for $IDLE_CONNECTIONS idle connections); trying to raise it"
    ulimit -Hn "$NEED_FDS" 2>/dev/null || log "could not raise the hard limit; the idle phase may fall short"
    HARD_FDS=$(ulimit -Hn)
fi
ulimit -Sn "$HARD_FDS" 2>/dev/null || ulimit -Sn "$NEED_FDS" 2>/dev/null || true
log "ulimit -n (soft/hard) for the processes started here: $(ulimit -Sn)/$(ulimit -Hn)"

# ---- free ports: outside the ephemeral range, not listening, not handed out before in this run ------------------
USED_PORTS=" "
free_port() {
    local port tries
    for ((tries = 0; tries < 500; tries++)); do
        port=$((20000 + RANDOM % 12000))
        [[ $USED_PORTS == *" $port "* ]] && continue
        if [[ -z $(ss -Htan "( sport = :$port or dport = :$port )" 2>/dev/null) ]]; then
            USED_PORTS+="$port "
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}

# ---- measurements of the machine -------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
loadavg1() { cut -d' ' -f1 /proc/loadavg; }
# busy (user nice system irq softirq), idle (idle iowait), steal (a virtual machine's CPU taken by its host)
machine_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6, $9; exit }' /proc/stat; }
pid_jiffies() { # utime+stime of a process (0 when gone)
    [[ -n ${1:-} && -r /proc/$1/stat ]] || { echo 0; return; }
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
thread_jiffies() { # one line per thread: tid, jiffies, name
    local pid=$1 t
    for t in /proc/"$pid"/task/*; do
        [[ -r $t/stat ]] || continue
        awk -v tid="${t##*/}" '{ name = $0; sub(/^[^(]*\(/, "", name); sub(/\) .*$/, "", name); rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " "); gsub(/ /, "_", name); print tid, f[12] + f[13], name }' "$t/stat" 2>/dev/null || true
    done
}
threads_diff() { # threads_diff BEFORE AFTER: CPU seconds per thread name, busiest first
    awk -v hz="$CLK_TCK" 'NR == FNR { before[$1] = $2; next } { d = $2 - before[$1]; by[$3] += d; n[$3]++ }
        END { for (k in by) if (by[k] > 0) printf "%8.2f s  %s (%d thread%s)\n", by[k] / hz, k, n[k], (n[k] > 1 ? "s" : "") }' "$1" "$2" | sort -rn
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Percent of this virtual machine's CPU time its host takes (steal) while every CPU is busy: 1 s of busy loops, one
# per CPU. Measured idle, steal reads near 0 even on a host that takes most of the CPU as soon as it is used.
steal_percent() {
    local b0 i0 s0 b1 i1 s1 n burners=()
    read -r b0 i0 s0 < <(machine_jiffies)
    for ((n = 0; n < $(nproc); n++)); do
        timeout 1 sh -c 'while :; do :; done' &
        burners+=($!)
    done
    wait "${burners[@]}" 2>/dev/null || true # only the burners: the switches and the simulator run in the background too
    read -r b1 i1 s1 < <(machine_jiffies)
    awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) -v s=$((s1 - s0)) 'BEGIN { t = b + i + s; printf "%d", (t > 0 ? 100 * s / t : 0) }'
}

dirty_kb() { awk '/^Dirty:/ { print $2 }' /proc/meminfo; }

# settle_disk: sync (unless SYNC_BEFORE_RUN=0) and print "DIRTY_KB_BEFORE SYNC_SECONDS"
settle_disk() {
    local before t0 t1
    before=$(dirty_kb)
    t0=$(date +%s.%N)
    [[ $SYNC_BEFORE_RUN == 1 ]] && sync
    t1=$(date +%s.%N)
    echo "$before $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

wait_quiet() {
    local waited=0 steal
    if [[ $QUIET_LOAD != 0 ]]; then
        while awk -v l="$(loadavg1)" -v q="$QUIET_LOAD" 'BEGIN { exit !(l > q) }'; do
            ((waited >= QUIET_WAIT_SECONDS)) && { log "load average still $(loadavg1) after ${waited}s; measuring anyway"; return 0; }
            sleep 5
            waited=$((waited + 5))
        done
    fi
    # A host that takes a third of the CPU (seen here: 20-50% steal for minutes) turns any latency figure into noise.
    [[ $STEAL_MAX_PERCENT == 0 ]] && return 0
    while steal=$(steal_percent) && ((steal > STEAL_MAX_PERCENT)); do
        ((waited >= QUIET_WAIT_SECONDS)) && { log "host steal still ${steal}% after ${waited}s; measuring anyway"; return 0; }
        sleep 4
        waited=$((waited + 5))
    done
}

# ---- build --------------------------------------------------------------------------------------------------------
HOST_DLL=$BUILD/host/PaymentSwitch.dll
SIM_DLL=$BUILD/sim/PaymentSwitch.Simulators.dll
LOAD_DLL=$BUILD/load/PaymentSwitch.LoadTest.dll
IDLE_DLL=$BUILD/idle/PaymentSwitch.IdleConnections.dll
FLOOR_DLL=$BUILD/floor/PaymentSwitch.JournalFloor.dll
build_one() { # build_one PROJECT OUTDIR: Release build into our own folder, so others rebuilding bin/ do not swap DLLs under us
    local project=$1 out=$2 attempt
    for attempt in 1 2 3 4 5; do
        if dotnet build "$ROOT/$project" -c Release -nologo -clp:ErrorsOnly -o "$out" >"$LOGS/build-${out##*/}.log" 2>&1; then return 0; fi
        log "build of $project failed (attempt $attempt; see $LOGS/build-${out##*/}.log); retrying in 60 s"
        tail -5 "$LOGS/build-${out##*/}.log" >&2
        sleep 60
    done
    die "could not build $project"
}
if [[ $SKIP_BUILD != 1 ]]; then
    log "building Release into $BUILD"
    build_one src/PaymentSwitch.Host "$BUILD/host"
    build_one src/PaymentSwitch.Simulators "$BUILD/sim"
    build_one perf/PaymentSwitch.LoadTest "$BUILD/load"
    build_one perf/PaymentSwitch.IdleConnections "$BUILD/idle"
    [[ " $PHASES " == *" floor "* ]] && build_one perf/PaymentSwitch.JournalFloor "$BUILD/floor"
fi
NEEDED_DLLS=("$HOST_DLL" "$SIM_DLL" "$LOAD_DLL" "$IDLE_DLL")
[[ " $PHASES " == *" floor "* ]] && NEEDED_DLLS+=("$FLOOR_DLL")
for f in "${NEEDED_DLLS[@]}"; do [[ -f $f ]] || die "missing $f (run without SKIP_BUILD=1)"; done
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | wc -l)

PERF_ENV=()
if [[ " $PHASES " == *" profile "* ]] && command -v perf >/dev/null; then
    # JIT-compiled code named in /tmp/perf-PID.map for `perf report` (map only, no jitdump); W^X off so that code
    # lives in anonymous memory, where perf looks the map up (with W^X it sits in a memfd perf cannot name).
    # Both only change how code is mapped, not the steady state being measured.
    PERF_ENV=(DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0)
fi

# ---- host jitter (nothing of ours running yet) ----------------------------------------------------------------------
# cyclictest's histogram (one row per microsecond: "us count_cpu0 count_cpu1 ...", then "# Histogram Overflows: n0 n1"
# for wake-ups later than the histogram's 20 ms) -> p50/p99/p99.9/max in ms over all CPUs, and the share of wake-ups at
# least 1 ms late. Overflows count as late; a percentile that falls among them is given as the max.
jitter_summary() {
    awk '/^[0-9]/ { rows++; us[rows] = $1 + 0; for (i = 2; i <= NF; i++) { c[rows] += $i; n += $i } }
         /^# Max Latencies:/ { for (i = 4; i <= NF; i++) if ($i + 0 > mx) mx = $i + 0 }
         /^# Histogram Overflows:/ { for (i = 4; i <= NF; i++) over += $i }
         END {
             n += over; late = over
             if (n == 0) { print "null"; exit }
             split("0.5 0.99 0.999", q, " "); acc = 0; k = 1
             for (r = 1; r <= rows; r++) { acc += c[r]; while (k <= 3 && acc >= q[k] * n) { v[k] = us[r]; k++ } if (us[r] >= 1000) late += c[r] }
             for (; k <= 3; k++) v[k] = mx
             printf "{\"wakeups\":%d,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f,\"percentAtLeast1Ms\":%.3f}\n",
                 n, v[1] / 1000, v[2] / 1000, v[3] / 1000, mx / 1000, 100 * late / n
         }' "$1"
}
measure_jitter() { # measure_jitter WHEN (before|after) -> $RUNS/jitter-WHEN.json
    [[ " $PHASES " == *" jitter "* ]] || return 0
    if ! command -v cyclictest >/dev/null; then
        log "host jitter skipped: cyclictest not installed (apt-get install rt-tests)"
        return 0
    fi
    log "host jitter ($1): cyclictest, $(nproc) SCHED_OTHER threads, 250 µs interval, ${JITTER_SECONDS}s, nothing else of ours busy"
    cyclictest --policy=other -t "$(nproc)" -a -i 250 -D "$JITTER_SECONDS" -q -m -h 20000 \
        --histfile="$LOGS/jitter-$1-histogram.txt" >"$LOGS/jitter-$1.log" 2>&1 || log "cyclictest failed (see $LOGS/jitter-$1.log)"
    [[ -s $LOGS/jitter-$1-histogram.txt ]] && jitter_summary "$LOGS/jitter-$1-histogram.txt" >"$RUNS/jitter-$1.json"
    [[ -s $RUNS/jitter-$1.json ]] && log "host jitter ($1): $(jq -r '"p50 \(.p50Ms) ms, p99 \(.p99Ms) ms, p99.9 \(.p999Ms) ms, max \(.maxMs) ms; \(.percentAtLeast1Ms)% of wake-ups >= 1 ms late"' "$RUNS/jitter-$1.json")"
    return 0
}
measure_jitter before

# ---- simulator -------------------------------------------------------------------------------------------------
SIM_PORT=$(free_port)
SIM_ADMIN=$(free_port)
wait_tcp() { # wait_tcp PORT PID SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        kill -0 "$2" 2>/dev/null || return 1
        [[ -n $(ss -Hltn "( sport = :$1 )") ]] && return 0
        sleep 0.1
    done
    return 1
}
log "starting the card issuer simulator on 127.0.0.1:$SIM_PORT (admin $SIM_ADMIN)"
env "${PERF_ENV[@]}" dotnet "$SIM_DLL" card --listen "127.0.0.1:$SIM_PORT" --admin "127.0.0.1:$SIM_ADMIN" \
    --dialects "$ROOT/config/dialects" --log-level warning --max-connections 4096 >"$LOGS/simulator.log" 2>&1 &
SIM_PID=$!
PIDS+=("$SIM_PID")
wait_tcp "$SIM_PORT" "$SIM_PID" 30 || { cat "$LOGS/simulator.log" >&2; die "the simulator did not start"; }

# ---- switches ----------------------------------------------------------------------------------------------------
# A config of our own: one card issuer (the standalone simulator), routes to it only, journal in a temp folder.
PAN_KEY=$(head -c 32 /dev/urandom | base64)
declare -A SW_PID SW_ACQ SW_STATUS
start_switch() { # start_switch NAME DURABILITY
    local name=$1 durability=$2 dir acq status
    dir=$(mktemp -d "${TMPDIR:-/tmp}/paymentswitch-e2e-$name.XXXXXX")
    RUN_DIRS+=("$dir")
    acq=$(free_port)
    status=$(free_port)
    cat >"$dir/routes.json" <<EOF
[
  { "Prefix": "4", "Issuer": "card-sim" },
  { "Low": "510000", "High": "559999", "Issuer": "card-sim" }
]
EOF
    cat >"$dir/switch.json" <<EOF
{
  "Switch": { "InstitutionId": "999999", "MaxInFlight": 100000 },
  "Acquirers": [ { "Name": "pos", "Listen": "127.0.0.1:$acq", "Dialect": "iso87-ascii", "Framing": "len2",
                   "MaxConnections": $((IDLE_CONNECTIONS + 4096)) } ],
  "Issuers": [ { "Id": "card-sim", "Kind": "card", "Endpoints": [ "127.0.0.1:$SIM_PORT" ], "Dialect": "iso87-ascii",
                 "Framing": "len2", "Connections": $ISSUER_CONNECTIONS, "TimeoutMs": 2000 } ],
  "Routes": { "File": "routes.json", "Watch": false },
  "Dialects": "$ROOT/config/dialects",
  "Journal": { "Directory": "journal", "Durability": "$durability" },
  "Status": { "Listen": "127.0.0.1:$status" },
  "Simulators": { "Embedded": false }
}
EOF
    local extra=()
    [[ $durability == none ]] && extra+=(--Journal:AllowUnsafeNone=true)
    log "starting switch '$name' (journal $durability, $dir) acquirer 127.0.0.1:$acq, status $status"
    local switch_env=()
    [[ -n $SWITCH_ENV ]] && read -r -a switch_env <<<"$SWITCH_ENV"
    env "${PERF_ENV[@]}" "${switch_env[@]}" PAYMENTSWITCH_Journal__PanKey="$PAN_KEY" \
        dotnet "$HOST_DLL" --config "$dir/switch.json" --Journal:Durability="$durability" "${extra[@]}" \
        >"$LOGS/switch-$name.log" 2>&1 &
    local pid=$! i
    PIDS+=("$pid")
    SW_PID[$name]=$pid
    SW_ACQ[$name]=$acq
    SW_STATUS[$name]=$status
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || { tail -20 "$LOGS/switch-$name.log" >&2; die "switch '$name' exited during start"; }
        curl -fsS "http://127.0.0.1:$status/health/ready" >/dev/null 2>&1 && { log "switch '$name' ready (pid $pid)"; return 0; }
        sleep 0.1
    done
    curl -sS "http://127.0.0.1:$status/health/ready" >&2 || true
    die "switch '$name' not ready after 60 s"
}

# ---- one harness run ---------------------------------------------------------------------------------------------
# run_load NAME TARGET_PORT RATE DURATION WARMUP [extra harness args…]; writes $RUNS/NAME.json, $RUNS/NAME.env.json.
# The processes sampled for the CPU split are $SERVER_PID (switch or none) and $SIM_PID.
SERVER_PID=""
SERVER_NAME=""
run_load() {
    local name=$1 port=$2 rate=$3 duration=$4 warmup=$5
    shift 5
    wait_quiet
    local dirty0 sync_seconds dirty1
    read -r dirty0 sync_seconds < <(settle_disk)
    local la0 la1 m0 m1 s0 s1 k0 k1 rc=0 t0 t1
    la0=$(loadavg1)
    local m0 i0 st0 m1 i1 st1
    read -r m0 i0 st0 < <(machine_jiffies)
    s0=$(pid_jiffies "$SERVER_PID")
    k0=$(pid_jiffies "$SIM_PID")
    [[ -n $SERVER_PID ]] && thread_jiffies "$SERVER_PID" >"$LOGS/$name.threads0"
    thread_jiffies "$SIM_PID" >"$LOGS/$name.simthreads0"
    t0=$(date +%s.%N)
    local rate_args=()
    [[ -n $rate ]] && rate_args=(--rate "$rate")
    dotnet "$LOAD_DLL" --target "127.0.0.1:$port" "${rate_args[@]}" --duration "$duration" --warmup "$warmup" \
        --tick "${RUN_TICK:-$TICK}" --dialects "$ROOT/config/dialects" --json "$RUNS/$name.json" "$@" \
        >"$LOGS/$name.txt" 2>"$LOGS/$name.err" &
    local harness_pid=$!
    PIDS+=("$harness_pid")
    wait "$harness_pid" || rc=$? # in the background so that a signal reaches the trap at once
    t1=$(date +%s.%N)
    read -r m1 i1 st1 < <(machine_jiffies)
    s1=$(pid_jiffies "$SERVER_PID")
    k1=$(pid_jiffies "$SIM_PID")
    la1=$(loadavg1)
    dirty1=$(dirty_kb)
    if [[ -n $SERVER_PID ]]; then
        thread_jiffies "$SERVER_PID" >"$LOGS/$name.threads1"
        threads_diff "$LOGS/$name.threads0" "$LOGS/$name.threads1" >"$LOGS/$name.switch-threads.txt"
    fi
    thread_jiffies "$SIM_PID" >"$LOGS/$name.simthreads1"
    threads_diff "$LOGS/$name.simthreads0" "$LOGS/$name.simthreads1" >"$LOGS/$name.sim-threads.txt"
    rm -f "$LOGS/$name".threads? "$LOGS/$name".simthreads?
    if [[ ! -s $RUNS/$name.json ]]; then
        log "run $name produced no report (exit $rc):"
        tail -5 "$LOGS/$name.err" >&2
        echo '{"passed":false,"fatalError":"no report"}' >"$RUNS/$name.json"
    fi
    local harness_cpu answered
    harness_cpu=$(jq -r '.harness.cpuSeconds // 0' "$RUNS/$name.json")
    answered=$(jq -r '.requests.answered // 0' "$RUNS/$name.json")
    jq -n --arg name "$name" --arg server "$SERVER_NAME" --argjson rc "$rc" \
        --argjson la0 "$la0" --argjson la1 "$la1" --argjson wall "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        --argjson busy "$((m1 - m0))" --argjson idle "$((i1 - i0))" --argjson steal "$((st1 - st0))" --argjson hz "$CLK_TCK" \
        --argjson sw "$((s1 - s0))" --argjson sim "$((k1 - k0))" --argjson harness "$harness_cpu" \
        --argjson dirty0 "$dirty0" --argjson dirty1 "$dirty1" --argjson syncs "$sync_seconds" --argjson synced "$SYNC_BEFORE_RUN" \
        --argjson cpus "$(nproc)" --argjson answered "$answered" --argjson rss "$( [[ -n $SERVER_PID ]] && rss_kb "$SERVER_PID" || echo 0)" '
        ($busy + $idle + $steal) as $all
        | { name: $name, server: $server, harnessExit: $rc, wallSeconds: ($wall * 100 | round / 100),
            loadAverage1m: { before: $la0, after: $la1 },
            # Dirty page cache (kB) found before the run, whether it was written back first (and how long that took),
            # and what the run itself left dirty: write-back from earlier work stalls the writes of a strict journal.
            pageCache: { dirtyKbFound: $dirty0, syncedBeforeRun: ($synced == 1), syncSeconds: $syncs, dirtyKbAfterRun: $dirty1 },
            cpuSeconds: { switch: ($sw / $hz), simulator: ($sim / $hz), harness: $harness,
                          other: ([($busy / $hz) - ($sw / $hz) - ($sim / $hz) - $harness, 0] | max * 100 | round / 100),
                          idle: ($idle / $hz), steal: ($steal / $hz), machineCapacity: ($all / $hz) },
            cpuPercentOfMachine: (if $all > 0 then {
                switch: ($sw * 1000 / $all | round / 10), simulator: ($sim * 1000 / $all | round / 10),
                harness: ($harness * $hz * 1000 / $all | round / 10),
                other: ([(($busy - $sw - $sim) - $harness * $hz) * 1000 / $all | round / 10, 0] | max),
                idle: ($idle * 1000 / $all | round / 10), steal: ($steal * 1000 / $all | round / 10) } else null end),
            switchRssMb: ($rss / 1024 | . * 10 | round / 10),
            # CPU per answered request (warm-up included on both sides of the division): contention inflates
            # latency far more than it inflates these, so they tell what the three processes cost on their own.
            cpuMicrosPerRequest: (if $answered > 0 then {
                switch: ($sw / $hz * 1e6 / $answered * 100 | round / 100),
                simulator: ($sim / $hz * 1e6 / $answered * 100 | round / 100),
                harness: ($harness * 1e6 / $answered * 100 | round / 100) } else null end),
            # What the machine could answer per second if these three had all its cores to themselves.
            cpuBoundCeilingPerSecond: (if $answered > 0 and ($sw + $sim + $harness * $hz) > 0
                then ($cpus * $answered / (($sw + $sim) / $hz + $harness) | round) else null end) }' >"$RUNS/$name.env.json"
    local line
    line=$(jq -r --slurpfile env "$RUNS/$name.env.json" '
        "\(.config.targetRatePerSecond // "closed") /s -> \(.achievedRatePerSecond // 0 | round)/s, errors \(.errors.total // "?"), p50 \(.latencyMs.p50 // "?") ms, p99 \(.latencyMs.p99 // "?") ms, max \(.latencyMs.max // "?") ms; load \($env[0].loadAverage1m.before)->\($env[0].loadAverage1m.after); CPU% switch \($env[0].cpuPercentOfMachine.switch) sim \($env[0].cpuPercentOfMachine.simulator) harness \($env[0].cpuPercentOfMachine.harness) other \($env[0].cpuPercentOfMachine.other) idle \($env[0].cpuPercentOfMachine.idle) steal \($env[0].cpuPercentOfMachine.steal); us/req switch \($env[0].cpuMicrosPerRequest.switch) sim \($env[0].cpuMicrosPerRequest.simulator) harness \($env[0].cpuMicrosPerRequest.harness); dirty page cache \($env[0].pageCache.dirtyKbFound) kB before\(if $env[0].pageCache.syncedBeforeRun then ", synced in \($env[0].pageCache.syncSeconds) s" else ", not synced" end)"' "$RUNS/$name.json")
    log "$name: $line"
}

passes() { # passes JSON: no errors, p99 within SWEEP_P99_MS, >= 98% of the offered rate answered
    # (errors.total counts DE39 91/96 answers as system-failure-answer, so a switch that sheds or fails requests
    # passes neither here nor in the floors below)
    jq -e --argjson p99 "$SWEEP_P99_MS" '(.errors.total == 0) and (.latencyMs.p99 <= $p99)
        and (.achievedRatePerSecond >= 0.98 * .config.targetRatePerSecond)' "$1" >/dev/null 2>&1
}

# sweep_all LABEL:PORT:PID …: the highest passing rate of each target -> $RUNS/sweep-LABEL.json. Interleaved: each
# rate is run against every target still passing, back to back, so that a noisy minute on a shared machine hits all
# of them rather than one; then SWEEP_REFINE bisection steps per target, interleaved the same way.
sweep_one() { # sweep_one LABEL PORT PID RATE -> 0 when it passed
    SERVER_PID=$3 SERVER_NAME=$1
    [[ $1 == straight ]] && SERVER_NAME=""
    run_load "sweep-$1-$4" "$2" "$4" "$SWEEP_DURATION" "$SWEEP_WARMUP" --connections "$CONNECTIONS" \
        --max-in-flight "$MAX_IN_FLIGHT" --quiet
    passes "$RUNS/sweep-$1-$4.json"
}
sweep_all() {
    local -A port pid best fail points
    local t label r step spec labels=()
    for spec in "$@"; do
        IFS=: read -r label port[$spec] pid[$spec] <<<"$spec"
        labels+=("$spec")
        best[$spec]=0 fail[$spec]=0 points[$spec]=""
    done
    for r in $SWEEP_RATES; do
        for t in "${labels[@]}"; do
            ((fail[$t] > 0)) && continue
            label=${t%%:*}
            points[$t]+=" $r"
            if sweep_one "$label" "${port[$t]}" "${pid[$t]}" "$r"; then best[$t]=$r; else fail[$t]=$r; fi
        done
    done
    for ((step = 0; step < SWEEP_REFINE; step++)); do
        for t in "${labels[@]}"; do
            ((fail[$t] > 0)) || continue
            r=$(((best[$t] + fail[$t]) / 2 / 1000 * 1000))
            ((r <= best[$t] || r >= fail[$t])) && continue
            label=${t%%:*}
            points[$t]+=" $r"
            if sweep_one "$label" "${port[$t]}" "${pid[$t]}" "$r"; then best[$t]=$r; else fail[$t]=$r; fi
        done
    done
    local files p
    for t in "${labels[@]}"; do
        label=${t%%:*}
        files=()
        for p in ${points[$t]}; do files+=("$RUNS/sweep-$label-$p.json"); done
        jq -s --arg sweepLabel "$label" --argjson best "${best[$t]}" --argjson fail "${fail[$t]}" --argjson p99 "$SWEEP_P99_MS" '
            { "label": $sweepLabel, criterion: "p99 <= \($p99) ms, no errors, >= 98% of the offered rate answered",
              maxPassingRate: $best, firstFailingRate: (if $fail > 0 then $fail else null end),
              points: [ .[] | { rate: .config.targetRatePerSecond, achieved: .achievedRatePerSecond, errors: .errors.total,
                                p50Ms: .latencyMs.p50, p99Ms: .latencyMs.p99, maxMs: .latencyMs.max } ] | sort_by(.rate) }' \
            "${files[@]}" >"$RUNS/sweep-$label.json"
        log "sweep $label: highest passing rate ${best[$t]}/s (first failing ${fail[$t]}/s)"
    done
}

# The acquirer-mode arguments shared by the comparison runs.
ACQ_ARGS=(--connections "$CONNECTIONS" --max-in-flight "$MAX_IN_FLIGHT")

# ---- profile helpers ---------------------------------------------------------------------------------------------
# perf script -F pid,tid,comm,ip,sym,dso  ->  one line per (sample, key): KIND<TAB>PID<TAB>KEY, where KIND is
# T (thread name of the sample), D (dso of the leaf frame), L (leaf symbol) or I (symbol anywhere on the stack,
# once per sample). JIT-compiled .NET names are shortened to Namespace.Type::Method.
PERF_AGG_AWK=$(cat <<'AWK'
# Input: perf script -F pid,tid,comm,ip,sym,dso. Output lines "KIND<TAB>PID<TAB>KEY" one per (sample, key):
# T = thread name, L = leaf symbol, D = leaf dso, I = symbol anywhere on the stack (once per sample).
function short(s,   t) {
    t = s
    sub(/\[(OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|Instrumented[A-Za-z0-9]*|PreJIT|OptimizedTier1OSR)\]$/, "", t)
    sub(/\(.*$/, "", t)                      # drop the argument list
    n = split(t, parts, " "); t = parts[n]   # drop "instance", return type, [assembly]
    sub(/^\[[^\]]*\]/, "", t)
    return t == "" ? s : t
}
function flush() { if (pid != "") { for (k in seen) print "I\t" pid "\t" k; delete seen }; pid = "" }
/^[^ \t]/ || /^ +[^ 0-9a-f]/ {
    # header: "comm pid/tid" (comm may contain spaces)
    flush()
    line = $0; sub(/^ +/, "", line)
    match(line, /[0-9]+\/[0-9]+ *$/)
    if (RSTART == 0) next
    idpart = substr(line, RSTART); comm = substr(line, 1, RSTART - 1); sub(/ +$/, "", comm)
    split(idpart, ids, "/"); pid = ids[1] + 0
    print "T\t" pid "\t" comm
    leaf = 1
    next
}
/^\t/ {
    if (pid == "") next
    line = $0; sub(/^[ \t]+/, "", line)
    sub(/^[0-9a-f]+ /, "", line)
    dso = line; sym = line
    if (match(line, /\([^()]*\)$/)) { dso = substr(line, RSTART + 1, RLENGTH - 2); sym = substr(line, 1, RSTART - 1) }
    sub(/ +$/, "", sym); sub(/\+0x[0-9a-f]+$/, "", sym)
    n = split(dso, dp, "/"); dshort = dp[n]
    if (sym == "[unknown]") sym = "[unknown in " dshort "]"
    else sym = short(sym)
    if (leaf) { print "L\t" pid "\t" sym; print "D\t" pid "\t" dshort; leaf = 0 }
    seen[sym] = 1
    next
}
END { flush() }
AWK
)
profile_report() { # profile_report SWITCH_PID SIM_PID HARNESS_PID SAMPLES.tsv
    set +o pipefail # `sort | head`: sort may die of SIGPIPE once head has its lines
    local sw=$1 sim=$2 harness=$3 tsv=$4 pid role
    echo "== samples by process (perf record -a -g -F 499, ${PROFILE_SECONDS}s at ${RATE}/s)"
    awk -F'\t' -v sw="$sw" -v sim="$sim" -v h="$harness" '$1 == "T" { all++; r = ($2 == sw ? "switch" : $2 == sim ? "simulator" : $2 == h ? "harness" : "other processes"); n[r]++ }
        END { for (r in n) printf "%6.1f%%  %s\n", 100 * n[r] / all, r }' "$tsv" | sort -rn
    for pair in "switch:$sw" "simulator:$sim" "harness:$harness"; do
        role=${pair%%:*}
        pid=${pair#*:}
        echo
        echo "== $role (pid $pid): threads (% of its samples)"
        awk -F'\t' -v p="$pid" '$1 == "T" && $2 == p { t++; c[$3]++ } END { for (x in c) printf "%6.2f%%  %s\n", 100 * c[x] / t, x }' "$tsv" | sort -rn | head -10
        echo "== $role: where the leaf frame is (dso)"
        awk -F'\t' -v p="$pid" '$1 == "T" && $2 == p { t++ } $1 == "D" && $2 == p { c[$3]++ } END { for (x in c) printf "%6.2f%%  %s\n", 100 * c[x] / t, x }' "$tsv" | sort -rn | head -10
        echo "== $role: self time by function (leaf)"
        awk -F'\t' -v p="$pid" '$1 == "T" && $2 == p { t++ } $1 == "L" && $2 == p { c[$3]++ } END { for (x in c) printf "%6.2f%%  %s\n", 100 * c[x] / t, x }' "$tsv" | sort -rn | head -30
        echo "== $role: inclusive time (function anywhere on the stack)"
        awk -F'\t' -v p="$pid" '$1 == "T" && $2 == p { t++ } $1 == "I" && $2 == p { c[$3]++ } END { for (x in c) printf "%6.2f%%  %s\n", 100 * c[x] / t, x }' "$tsv" | sort -rn | head -45
    done
}

# ---- phases --------------------------------------------------------------------------------------------------------
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); commit $COMMIT (+$DIRTY changed files under src/)"
log "RATE=$RATE DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS PHASES=\"$PHASES\"${SWITCH_ENV:+ SWITCH_ENV=\"$SWITCH_ENV\"}"

if has_phase switch || has_phase sweep || has_phase terminals || has_phase idle; then
    start_switch strict strict
fi
if has_phase switch || has_phase sweep; then
    start_switch none none
fi

# A switch fresh from start runs tier-0 code and grows its thread pool during the first seconds (in one run its
# first two seconds answered 36,000-45,000/s against 100,000/s offered, and the backlog spilled into the measured
# window). Every process gets one unrecorded run first, so the figures describe the steady state.
prewarm() { # prewarm NAME PORT
    [[ $PREWARM == 0 || $PREWARM == 0s ]] && return 0
    dotnet "$LOAD_DLL" --target "127.0.0.1:$2" --rate "$HALF_RATE" --duration "$PREWARM" --warmup 0s "${ACQ_ARGS[@]}" \
        --tick "$TICK" --dialects "$ROOT/config/dialects" --quiet --json "$LOGS/prewarm-$1.json" >"$LOGS/prewarm-$1.txt" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait "$pid" || true
    log "prewarm $1: $(jq -r '"\(.achievedRatePerSecond // 0 | round)/s answered, p99 \(.latencyMs.p99 // "?") ms"' "$LOGS/prewarm-$1.json" 2>/dev/null || echo "no report")"
}
if has_phase straight || has_phase sweep; then prewarm simulator "$SIM_PORT"; fi
for name in strict none; do
    [[ -n ${SW_PID[$name]:-} ]] && prewarm "$name" "${SW_ACQ[$name]}"
done

if has_phase straight; then
    SERVER_PID="" SERVER_NAME=""
    run_load "straight-$RATE" "$SIM_PORT" "$RATE" "$DURATION" "$WARMUP" "${ACQ_ARGS[@]}" --quiet
    RUN_TICK=$HALF_TICK run_load "straight-$HALF_RATE" "$SIM_PORT" "$HALF_RATE" "$DURATION" "$WARMUP" "${ACQ_ARGS[@]}" --quiet
fi

if has_phase switch; then
    curl -fsS "http://127.0.0.1:${SW_STATUS[strict]}/metrics" >"$LOGS/switch-strict-before.prom" 2>/dev/null || true
    for ((rep = 1; rep <= REPEATS; rep++)); do
        sfx=""
        ((rep > 1)) && sfx="-r$rep"
        for rate in "$RATE" "$HALF_RATE"; do
            RUN_TICK=$TICK
            [[ $rate == "$HALF_RATE" ]] && RUN_TICK=$HALF_TICK
            SERVER_PID=${SW_PID[strict]} SERVER_NAME=strict
            chart=()
            if [[ $rep == 1 && $rate == "$RATE" ]]; then
                chart=(--chart "$RESULTS/switch-strict-$RATE.html")
            fi
            run_load "switch-strict-$rate$sfx" "${SW_ACQ[strict]}" "$rate" "$DURATION" "$WARMUP" "${ACQ_ARGS[@]}" --quiet "${chart[@]}"
            if [[ $rep == 1 && $rate == "$RATE" ]]; then
                curl -fsS "http://127.0.0.1:${SW_STATUS[strict]}/metrics" >"$LOGS/switch-strict-after.prom" 2>/dev/null || true
                # The page's first chart (latency by percentile) as a standalone SVG too.
                { echo '<?xml version="1.0" encoding="UTF-8"?>'
                  awk '/<svg /{on=1} on{print} on && /<\/svg>/{exit}' "$RESULTS/switch-strict-$RATE.html"; } >"$RESULTS/switch-strict-$RATE.svg" || true
            fi
            if [[ $rep == 1 && $rate == "$HALF_RATE" ]]; then
                curl -fsS "http://127.0.0.1:${SW_STATUS[strict]}/metrics" >"$LOGS/switch-strict-half-after.prom" 2>/dev/null || true
            fi
            SERVER_PID=${SW_PID[none]} SERVER_NAME=none
            run_load "switch-none-$rate$sfx" "${SW_ACQ[none]}" "$rate" "$DURATION" "$WARMUP" "${ACQ_ARGS[@]}" --quiet
        done
        RUN_TICK=
    done
fi

# The journal alone at the half rate, right after the switch rows (the switches and the simulator idle).
if has_phase floor; then
    floor_dir=$(mktemp -d "${TMPDIR:-/tmp}/paymentswitch-e2e-floor.XXXXXX")
    RUN_DIRS+=("$floor_dir")
    wait_quiet
    read -r floor_dirty floor_sync < <(settle_disk)
    log "journal alone: $HALF_RATE authorisations/s, two durable appends each, ${FLOOR_SECONDS}s in $floor_dir (dirty page cache ${floor_dirty} kB before, synced in ${floor_sync} s)"
    read -r floor_busy0 floor_idle0 floor_steal0 < <(machine_jiffies)
    # In the background, so that a stop signal reaches this script's trap at once (as run_load's harness does).
    dotnet "$FLOOR_DLL" --rate "$HALF_RATE" --seconds "$FLOOR_SECONDS" --directory "$floor_dir/journal" >"$LOGS/journal-floor.txt" 2>&1 &
    floor_pid=$!
    PIDS+=("$floor_pid")
    floor_exit=0
    wait "$floor_pid" || floor_exit=$?
    read -r floor_busy1 floor_idle1 floor_steal1 < <(machine_jiffies)
    floor_total=$(( (floor_busy1 - floor_busy0) + (floor_idle1 - floor_idle0) + (floor_steal1 - floor_steal0) ))
    floor_steal=$(awk -v s=$((floor_steal1 - floor_steal0)) -v t="$floor_total" 'BEGIN { printf "%.1f", (t > 0 ? 100 * s / t : 0) }')
    # Its last line is its JSON, also when it exits 1 (some authorisations failed or never finished): kept either way.
    if tail -n 1 "$LOGS/journal-floor.txt" | jq -e 'type == "object"' >/dev/null 2>&1; then
        tail -n 1 "$LOGS/journal-floor.txt" | jq -c --argjson exit "$floor_exit" --argjson steal "$floor_steal" \
            '. + { exitCode: $exit, stealPercent: $steal }' >"$RUNS/journal-floor.json"
        log "journal alone: $(jq -r '"p50 \(.fromIntended.p50Ms) ms, p99 \(.fromIntended.p99Ms) ms, max \(.fromIntended.maxMs) ms from arrival; \(.overOneMs) of \(.completed) over 1 ms; each durable append p99 \(.eachAppend.p99Ms) ms; \(.recordsPerWrite) records per write; steal \(.stealPercent)%; exit \(.exitCode)"' "$RUNS/journal-floor.json")"
    else
        log "journal alone: no result (exit $floor_exit; see $LOGS/journal-floor.txt)"
    fi
fi

if has_phase sweep; then
    sweep_all "straight:$SIM_PORT:" "strict:${SW_ACQ[strict]}:${SW_PID[strict]}" "none:${SW_ACQ[none]}:${SW_PID[none]}"
fi
[[ -n ${SW_PID[none]:-} ]] && stop_pid "${SW_PID[none]}" 30

if has_phase terminals; then
    SERVER_PID=${SW_PID[strict]} SERVER_NAME=strict
    run_load "terminals-$TERMINALS-open" "${SW_ACQ[strict]}" "$TERMINALS_RATE" "$DURATION" "$WARMUP" \
        --mode terminals --connections "$TERMINALS" --quiet
    run_load "terminals-$TERMINALS-closed" "${SW_ACQ[strict]}" "" "$DURATION" "$WARMUP" \
        --mode terminals --connections "$TERMINALS" --quiet
fi

# idle_rss NAME SWITCH: hold IDLE_CONNECTIONS silent connections on the switch, read its VmRSS -> $RUNS/idle-NAME.json
idle_rss() {
    local name=$1 sw=$2 pid=${SW_PID[$2]} port=${SW_ACQ[$2]}
    local before hwm_before est after=0 s i idle_pid opened_line rc=0
    sleep 2
    before=$(rss_kb "$pid")
    hwm_before=$(hwm_kb "$pid")
    dotnet "$IDLE_DLL" --target "127.0.0.1:$port" --connections "$IDLE_CONNECTIONS" --hold-seconds 600 \
        >"$LOGS/idle-$name.txt" 2>"$LOGS/idle-$name.err" &
    idle_pid=$!
    PIDS+=("$idle_pid")
    for ((i = 0; i < 1200; i++)); do
        grep -q '^opened' "$LOGS/idle-$name.txt" 2>/dev/null && break
        kill -0 "$idle_pid" 2>/dev/null || break
        sleep 0.1
    done
    opened_line=$(grep '^opened' "$LOGS/idle-$name.txt" || echo "not opened")
    sleep "$IDLE_SETTLE_SECONDS"
    est=$(ss -Htn state established "( sport = :$port )" | wc -l)
    for s in 1 2 3 4 5; do
        i=$(rss_kb "$pid")
        ((i > after)) && after=$i
        sleep 1
    done
    stop_pid "$idle_pid" 20 || true
    local summary
    summary=$(grep '^{' "$LOGS/idle-$name.txt" | tail -1)
    [[ -n $summary ]] || summary='{"error":"no summary from the idle tool"}'
    jq -n --arg name "$name" --arg opened "$opened_line" --argjson summary "$summary" --argjson before "$before" \
        --argjson after "$after" --argjson hwm "$hwm_before" --argjson est "$est" --argjson limit "$RSS_LIMIT_MB" \
        --argjson n "$IDLE_CONNECTIONS" --argjson la "$(loadavg1)" '
        { name: $name, connections: $n, tool: $summary, toolLine: $opened, establishedOnSwitchPort: $est,
          switchRssMbBefore: ($before / 1024 * 10 | round / 10), switchRssMbAtIdle: ($after / 1024 * 10 | round / 10),
          switchPeakRssMbBefore: ($hwm / 1024 * 10 | round / 10),
          kbPerConnection: ((($after - $before) / $n) * 100 | round / 100),
          limitMb: $limit, withinLimit: ($after / 1024 <= $limit), loadAverage1m: $la }' >"$RUNS/idle-$name.json"
    log "idle $name: $(jq -r '"\(.tool.opened // 0) opened, \(.establishedOnSwitchPort) established on the switch port; VmRSS \(.switchRssMbBefore) MB -> \(.switchRssMbAtIdle) MB (\(.kbPerConnection) kB/connection; limit \(.limitMb) MB)"' "$RUNS/idle-$name.json")"
}

if has_phase idle; then
    idle_rss after-load strict
    stop_pid "${SW_PID[strict]}" 30
    start_switch fresh strict
    idle_rss fresh fresh
    stop_pid "${SW_PID[fresh]}" 30
elif [[ -n ${SW_PID[strict]:-} ]]; then
    stop_pid "${SW_PID[strict]}" 30
fi

if has_phase profile; then
    if command -v perf >/dev/null; then
        start_switch profile strict
        SERVER_PID=${SW_PID[profile]} SERVER_NAME=profile
        prof_warm=${PROFILE_WARMUP_SECONDS:-15}
        env "${PERF_ENV[@]}" dotnet "$LOAD_DLL" --target "127.0.0.1:${SW_ACQ[profile]}" --rate "$RATE" --duration "$((PROFILE_SECONDS + 2))s" \
            --warmup "${prof_warm}s" "${ACQ_ARGS[@]}" --tick "$TICK" --dialects "$ROOT/config/dialects" --quiet \
            --json "$RUNS/profile-$RATE.json" >"$LOGS/profile-load.txt" 2>&1 &
        load_pid=$!
        PIDS+=("$load_pid")
        sleep "$((prof_warm + 1))"
        log "perf record -a -g for ${PROFILE_SECONDS}s at $RATE/s (switch pid ${SW_PID[profile]}, simulator $SIM_PID, harness $load_pid)"
        perf record -a -g -F 499 -o "$LOGS/perf.data" -- sleep "$PROFILE_SECONDS" >"$LOGS/perf-record.log" 2>&1 || log "perf record failed (see perf-record.log)"
        wait "$load_pid" || true
        if [[ -s $LOGS/perf.data ]]; then
            perf script -i "$LOGS/perf.data" -F pid,tid,comm,ip,sym,dso 2>/dev/null | awk "$PERF_AGG_AWK" >"$LOGS/perf-samples.tsv" || true
            ( profile_report "${SW_PID[profile]}" "$SIM_PID" "$load_pid" "$LOGS/perf-samples.tsv" ) >"$RESULTS/profile-$RATE.txt" || log "profile report failed"
            rm -f "$LOGS/perf-samples.tsv"
            log "profile: $RESULTS/profile-$RATE.txt (raw samples: $LOGS/perf.data)"
        fi
        stop_pid "${SW_PID[profile]}" 30
    else
        log "perf is not installed (apt-get install -y linux-perf); profile phase skipped"
    fi
fi

# ---- summary ---------------------------------------------------------------------------------------------------
run_or_null() { [[ -s $RUNS/$1.json ]] && jq -c --slurpfile env <(cat "$RUNS/$1.env.json" 2>/dev/null || echo null) '
    { targetRate: .config.targetRatePerSecond, mode: .config.mode, connections: .config.connections,
      achievedRate: .achievedRatePerSecond, errors: .errors.total, errorsByKind: .errors.byKind,
      latencyMs: { p50: .latencyMs.p50, p90: .latencyMs.p90, p99: .latencyMs.p99, p999: .latencyMs["p99.9"], max: .latencyMs.max },
      serviceTimeMs: { p50: .serviceTimeMs.p50, p99: .serviceTimeMs.p99 },
      harnessSchedulerLagMs: { p50: .harness.schedulerLagMs.p50, p99: .harness.schedulerLagMs.p99 },
      backlogged: .requests.backlogged, environment: $env[0] }' "$RUNS/$1.json" || echo null; }
file_or_null() { [[ -s $1 ]] && cat "$1" || echo null; }
journal_stats() { # the strict switch's journal figures over the headline run, from its /metrics before and after
    local before=$LOGS/switch-strict-before.prom after=$LOGS/switch-strict-after.prom
    [[ -s $before && -s $after ]] || { echo null; return; }
    awk 'FNR == 1 { f++ } /^#/ { next } { v[f, $1] = $2 }
        END {
            fs = v[2, "paymentswitch_journal_fsyncs_total"] - v[1, "paymentswitch_journal_fsyncs_total"]
            rec = v[2, "paymentswitch_journal_records_total"] - v[1, "paymentswitch_journal_records_total"]
            printf "{\"fsyncs\":%d,\"records\":%d,\"recordsPerFsync\":%.1f,\"fsyncMeanMsSinceStart\":%.3f,\"fsyncMaxMsSinceStart\":%.3f}\n",
                fs, rec, (fs > 0 ? rec / fs : 0), v[2, "paymentswitch_journal_fsync_duration_mean_seconds"] * 1000,
                v[2, "paymentswitch_journal_fsync_duration_max_seconds"] * 1000
        }' "$before" "$after"
}

fsync_window() { # the strict switch's fdatasync percentiles over the minute before FILE was scraped (ms)
    [[ -s $1 ]] || { echo null; return; }
    awk -F'[{} ]' '$1 == "paymentswitch_journal_fsync_duration_window_seconds" && match($2, /quantile="[^"]+"/) {
            q = substr($2, RSTART + 10, RLENGTH - 11); v[q] = $NF * 1000 }
        END { if (length(v) == 0) { print "null"; exit }
              printf "{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}\n", v["0.5"], v["0.99"], v["0.999"], v["1"] }' "$1"
}

measure_jitter after

jq -n \
    --argjson fsyncAtRate "$(fsync_window "$LOGS/switch-strict-after.prom")" \
    --argjson fsyncAtHalfRate "$(fsync_window "$LOGS/switch-strict-half-after.prom")" \
    --arg commit "$COMMIT" --argjson dirty "$DIRTY" --arg started "$(date -u +%FT%TZ)" --argjson cores "$(nproc)" \
    --argjson rate "$RATE" --argjson half "$HALF_RATE" --arg duration "$DURATION" --arg warmup "$WARMUP" \
    --argjson connections "$CONNECTIONS" --arg switchEnv "$SWITCH_ENV" --argjson floorRate "$FLOOR_RATE" --argjson floorP99 "$FLOOR_HALF_P99_MS" \
    --argjson terminals "$TERMINALS" --argjson rssLimit "$RSS_LIMIT_MB" \
    --argjson straight "$(run_or_null "straight-$RATE")" --argjson straightHalf "$(run_or_null "straight-$HALF_RATE")" \
    --argjson strict "$(run_or_null "switch-strict-$RATE")" --argjson strictHalf "$(run_or_null "switch-strict-$HALF_RATE")" \
    --argjson none "$(run_or_null "switch-none-$RATE")" --argjson noneHalf "$(run_or_null "switch-none-$HALF_RATE")" \
    --argjson sweepStraight "$(file_or_null "$RUNS/sweep-straight.json")" \
    --argjson sweepStrict "$(file_or_null "$RUNS/sweep-strict.json")" \
    --argjson sweepNone "$(file_or_null "$RUNS/sweep-none.json")" \
    --argjson termOpen "$(run_or_null "terminals-$TERMINALS-open")" --argjson termClosed "$(run_or_null "terminals-$TERMINALS-closed")" \
    --argjson idleAfter "$(file_or_null "$RUNS/idle-after-load.json")" --argjson idleFresh "$(file_or_null "$RUNS/idle-fresh.json")" \
    --argjson profile "$(run_or_null "profile-$RATE")" --argjson journal "$(journal_stats)" \
    --argjson jitterBefore "$(file_or_null "$RUNS/jitter-before.json")" --argjson jitterAfter "$(file_or_null "$RUNS/jitter-after.json")" \
    --argjson journalAlone "$(file_or_null "$RUNS/journal-floor.json")" '
    def ratio(a; b): if (a != null and b != null and b != 0) then (a / b * 1000 | round / 1000) else null end;
    {
      machine: { cores: $cores, commit: $commit, changedFilesUnderSrc: $dirty, finishedAt: $started, idleWakeUpLateness: { before: $jitterBefore, after: $jitterAfter } },
      settings: { rate: $rate, halfRate: $half, duration: $duration, warmup: $warmup, acquirerConnections: $connections, switchEnv: $switchEnv },
      straight: { atRate: $straight, atHalfRate: $straightHalf },
      switchStrict: { atRate: $strict, atHalfRate: $strictHalf, journalDuringRateRun: $journal,
                      fsyncMsLastMinuteAfterRateRun: $fsyncAtRate, fsyncMsLastMinuteAfterHalfRateRun: $fsyncAtHalfRate },
      switchNone: { atRate: $none, atHalfRate: $noneHalf },
      journalAloneAtHalfRate: $journalAlone,
      ratios: {
        switchOverStraightAchievedAtRate: ratio($strict.achievedRate; $straight.achievedRate),
        switchOverStraightMaxRate: ratio($sweepStrict.maxPassingRate; $sweepStraight.maxPassingRate),
        switchOverStraightCpuBoundCeiling: ratio($strict.environment.cpuBoundCeilingPerSecond; $straight.environment.cpuBoundCeilingPerSecond),
        strictOverNoneMaxRate: ratio($sweepStrict.maxPassingRate; $sweepNone.maxPassingRate),
        strictOverNoneP99AtRate: ratio($strict.latencyMs.p99; $none.latencyMs.p99),
        strictOverNoneP99AtHalfRate: ratio($strictHalf.latencyMs.p99; $noneHalf.latencyMs.p99)
      },
      sweep: { straight: $sweepStraight, strict: $sweepStrict, none: $sweepNone },
      terminals: { count: $terminals, openLoop: $termOpen, closedLoop: $termClosed },
      idleConnections: { afterLoad: $idleAfter, fresh: $idleFresh },
      floors: {
        strictRateAtLeast: $floorRate,
        strictRateMet: (if $sweepStrict == null then null else ($sweepStrict.maxPassingRate >= $floorRate) end),
        strictAchievedAtRateMet: (if $strict == null then null else ($strict.errors == 0 and $strict.achievedRate >= 0.98 * $floorRate and $rate >= $floorRate) end),
        halfRateP99AtMostMs: $floorP99,
        halfRateP99Met: (if $strictHalf == null then null else ($strictHalf.errors == 0 and $strictHalf.latencyMs.p99 <= $floorP99) end),
        halfRateJournalAloneP99Ms: (if $journalAlone == null then null else $journalAlone.fromIntended.p99Ms end),
        idleRssAtMostMb: $rssLimit,
        idleRssMet: (if $idleAfter == null and $idleFresh == null then null
                     else ([$idleAfter, $idleFresh] | map(select(. != null) | .withinLimit) | all) end)
      },
      profileRun: $profile
    }' >"$RESULTS/e2e-summary.json"

# ---- table -----------------------------------------------------------------------------------------------------
jq -r '
  def f(x): if x == null then "-" else (x | tostring) end;
  def row(name; r): "\(name)|\(f(r.targetRate))|\(f(r.achievedRate | if . == null then null else round end))|\(f(r.errors))|\(f(r.latencyMs.p50))|\(f(r.latencyMs.p99))|\(f(r.latencyMs.max))|\(f(r.environment.loadAverage1m.before))|\(f(r.environment.cpuPercentOfMachine.other))|\(f(r.environment.cpuMicrosPerRequest.switch))|\(f(r.environment.cpuMicrosPerRequest.simulator))|\(f(r.environment.cpuMicrosPerRequest.harness))|\(f(r.environment.cpuBoundCeilingPerSecond))";
  "run|offered/s|answered/s|errors|p50 ms|p99 ms|max ms|load1m|other CPU%|switch us/req|sim us/req|harness us/req|CPU-bound ceiling/s",
  row("straight (no switch)"; .straight.atRate), row("straight (no switch)"; .straight.atHalfRate),
  row("switch strict"; .switchStrict.atRate), row("switch strict"; .switchStrict.atHalfRate),
  row("switch none"; .switchNone.atRate), row("switch none"; .switchNone.atHalfRate),
  row("terminals open loop"; .terminals.openLoop), row("terminals closed loop"; .terminals.closedLoop)
' "$RESULTS/e2e-summary.json" | column -t -s'|' | tee -a "$E2E_LOG"
jq -r '
  "ratio switch/straight: answered at RATE \(.ratios.switchOverStraightAchievedAtRate), CPU-bound ceiling \(.ratios.switchOverStraightCpuBoundCeiling)",
  "max rate p99<=10ms: straight \(.sweep.straight.maxPassingRate // "-")/s, strict \(.sweep.strict.maxPassingRate // "-")/s, none \(.sweep.none.maxPassingRate // "-")/s; switch/straight \(.ratios.switchOverStraightMaxRate), strict/none \(.ratios.strictOverNoneMaxRate)",
  "idle \(.idleConnections.fresh.connections // "-") connections: VmRSS after load \(.idleConnections.afterLoad.switchRssMbAtIdle // "-") MB, fresh \(.idleConnections.fresh.switchRssMbAtIdle // "-") MB (limit \(.floors.idleRssAtMostMb) MB)",
  (.machine.idleWakeUpLateness | to_entries[] | "host jitter \(.key) (idle machine, thread wake-up lateness): \(.value | if . == null then "-" else "p99 \(.p99Ms) ms, p99.9 \(.p999Ms) ms, max \(.maxMs) ms, \(.percentAtLeast1Ms)% >= 1 ms" end)"),
  "floors: rate>=\(.floors.strictRateAtLeast) sweep \(.floors.strictRateMet), at RATE \(.floors.strictAchievedAtRateMet); p99<=\(.floors.halfRateP99AtMostMs)ms at half rate \(.floors.halfRateP99Met) (the journal alone: p99 \(.floors.halfRateJournalAloneP99Ms // "-") ms); idle RSS \(.floors.idleRssMet)"
' "$RESULTS/e2e-summary.json" | tee -a "$E2E_LOG"
log "summary: $RESULTS/e2e-summary.json; chart: $RESULTS/switch-strict-$RATE.html; logs: $LOGS"
exit 0
}
