#!/usr/bin/env bash
# Throughput and CPU per point of the distro with modelmon in the pipeline
# vs the same distro and config without it (bench/configs/throughput-*.yaml),
# under the same OTLP/gRPC load: contrib telemetrygen and modelmon-demo, at a
# fixed offered rate and at saturation.
#
# Method. Both collectors (without, and one config with modelmon) run side
# by side for a whole series, each on its own ports and in its own CPU
# cgroup (bench/cgroup.sh), pinned to COL_CPUS; their loads run in a cgroup
# of their own, pinned to LOAD_CPUS. Pairing simultaneous (FIXED_PAIRING's
# default): each collector gets its own load generator, both started
# together and kept running, and every window of SEG s reads both collectors' CPU time
# (cpuacct.usage, ns; /proc/<pid>/stat without cgroups) and accepted and
# refused points (otelcol_receiver_*_metric_points, own telemetry) at its
# start and end: one window is one pair, measured under the same momentary
# state of the machine, so what other processes do (builds and tests share
# the 2 cores) moves both sides of a pair alike. Pairing abba (SAT_PAIRING's
# default, as two generators side by side on one core could not keep two
# collectors throttled, while one alone has the core): one load at a
# time, restarted per segment (SETTLE s before measuring) in the order
# without, with, with, without, …; neighbouring segments form a pair. Each
# pair gives the ratios with / without of points/s and of CPU ns per point;
# the summary (bench/throughput-summary.sh) gives their median, interquartile
# range and the distribution-free 95 % confidence interval of the median
# (order statistics), which says whether a goal is shown met, shown missed,
# or not resolved. Both collectors are warm (WARM s of load, unmeasured)
# before the first window; the measuring shell runs in a weighted group too,
# so that it reads each collector's counters at one moment.
#
# CPU weight: the collectors', the loads' and the measuring shell's groups
# get cpu.shares SHARES (262144, the largest, against 1024 for every other
# process on the machine): other processes then wait for the bench rather
# than the other way round, so the generators offer their rate and a
# collector gets its whole quota. SHARES=1024 measures as an ordinary
# process would.
# Fixed rate: the offered load is set by the generator (FIXED, DEMO_FIXED);
# the collectors run without a quota (FIXED_QUOTA).
# Saturation: each collector gets a CPU budget of QUOTA per PERIOD µs (0.25
# core by default, DEMO_QUOTA 0.1 with modelmon-demo, whose generator spends
# 2–3× the collector's CPU per point), below what the unthrottled load
# offers, so the collector, not the generator, sets the rate: points/s at
# saturation is the accepted rate at that budget. Each
# window records the collector's use of its quota, the share of CFS periods
# in which it was throttled (≈ 1: it always wanted more than its budget)
# and the generators' CPU, which show who limited. (Two throttled groups on
# one CPU, as in simultaneous pairing, get ≈ 0.75–0.85 of their quota
# each.) The receiver does not refuse under saturation: the batch
# processor's queue is bounded and blocks, so gRPC backpressure slows
# the closed-loop generators instead; refusals (memory_limiter) would be
# counted apart. Saturation needs a writable cgroup v1 cpu/cpuacct
# hierarchy: without one it is skipped with a message.
#
#   bench/throughput.sh                → bench/out/throughput.md (+ throughput-raw.txt)
#   MODES=fixed LOADS=demo FIXED_PAIRS=40 bench/throughput.sh
#   PAIRING=abba SHARES=1024 bench/throughput.sh   (the alternatives measured against)
#   CONFIGS=with-nohealth LOADS=demo bench/throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/cgroup.sh
. bench/cgroup.sh

# Per mode; PAIRS and PAIRING, when set, override both.
FIXED_PAIRS=${PAIRS:-${FIXED_PAIRS:-24}}
FIXED_PAIRING=${PAIRING:-${FIXED_PAIRING:-simultaneous}}
SAT_PAIRS=${PAIRS:-${SAT_PAIRS:-16}}
SAT_PAIRING=${PAIRING:-${SAT_PAIRING:-abba}}
SETTLE=${SETTLE:-1}
SEG=${SEG:-3}
WARM=${WARM:-4}
QUOTA=${QUOTA:-25000}
# modelmon-demo spends ≈ 2.5× the collector's CPU per point: two demos on one core
# saturate two collectors only at a smaller budget.
DEMO_QUOTA=${DEMO_QUOTA:-10000}
PERIOD=${PERIOD:-100000}
FIXED_QUOTA=${FIXED_QUOTA:--1}
SHARES=${SHARES:-262144}
OUT=${OUT:-bench/out}
DISTRO=${DISTRO:-_build/otelcol-modelmon}
TELEMETRYGEN=${TELEMETRYGEN:-bin/telemetrygen}
DEMO=${DEMO:-bin/modelmon-demo}
# The testbed's Metric10kDPS offers 70,000 points/s; telemetrygen's rate is per worker.
FIXED=${FIXED:-"--workers 70 --rate 1000"}
# 16 closed-loop workers keep requests queued at the collector while its quota is spent.
SATURATE=${SATURATE:-"--workers 16 --rate 0"}
# modelmon-demo exports about 7 points per model per export. One demo spends 20–25 µs of CPU
# per point, so two side by side on one core deliver ≈ 22,000 points/s each whatever they are
# asked; 1,000 models × 3/s ≈ 21,000 points/s is a rate each can keep, so the rate stays fixed.
DEMO_FIXED=${DEMO_FIXED:-"-models 1000 -rate 3"}
DEMO_SATURATE=${DEMO_SATURATE:-"-models 1000 -rate 20"}
COL_CPUS=${COL_CPUS:-1}
LOAD_CPUS=${LOAD_CPUS:-0}
MODES=${MODES:-"fixed saturation"}
# CONFIGS: bench/configs/throughput-<config>.yaml; each is compared with "without".
CONFIGS=${CONFIGS:-"with"}
LOADS=${LOADS:-"telemetrygen-passthrough telemetrygen-model telemetrygen-drift demo"}
TICK=$(getconf CLK_TCK)

[ -x "$DISTRO" ] || { echo "no $DISTRO: run make build" >&2; exit 1; }
[ -x "$TELEMETRYGEN" ] || { echo "no $TELEMETRYGEN: GOBIN=\$PWD/bin go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0" >&2; exit 1; }
for pp in "$FIXED_PAIRING $FIXED_PAIRS" "$SAT_PAIRING $SAT_PAIRS"; do
	set -- $pp
	case $1 in
	simultaneous) ;;
	abba) [ $(($2 % 2)) -eq 0 ] || { echo "pairs must be even for abba, not $2" >&2; exit 1; } ;;
	*) echo "pairing is simultaneous or abba, not $1" >&2; exit 1 ;;
	esac
done
mkdir -p "$OUT"
RAW="$OUT/throughput-raw.txt"
: >"$RAW"

CG_OK=0
if cg_init "modelmon-bench-$$"; then
	CG_OK=1
else
	echo "throughput: no CPU cgroups ($CG_REASON): fixed rate measured with /proc/<pid>/stat, saturation skipped" >&2
fi

declare -A colpid=() loadpid=()
cleanup() {
	local p
	for p in "${loadpid[@]}" "${colpid[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	cg_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ports per collector: "without" on 14717/14788, the compared config on 14727/14798.
otlp_port() { if [ "$1" = without ]; then echo 14717; else echo 14727; fi; }
telemetry_port() { if [ "$1" = without ]; then echo 14788; else echo 14798; fi; }

# points CONFIG → "accepted refused" of that collector's receiver, summed over transports.
points() {
	curl -sf "http://127.0.0.1:$(telemetry_port "$1")/metrics" | awk '
		/^otelcol_receiver_accepted_metric_points/ {a += $NF}
		/^otelcol_receiver_refused_metric_points/ {r += $NF}
		END {printf "%d %d\n", a, r}'
}

# cpu_ns CONFIG → the collector's CPU time so far.
cpu_ns() {
	if [ "$CG_OK" = 1 ]; then
		cg_usage "col-$1"
	else
		awk -v hz="$TICK" '{printf "%d\n", ($14 + $15) * 1e9 / hz}' "/proc/${colpid[$1]}/stat"
	fi
}

throttle() { if [ "$CG_OK" = 1 ]; then cg_throttle "col-$1"; else echo "0 0"; fi; }

# busy → jiffies the whole machine spent busy (not idle, not iowait).
busy() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# start_collector CONFIG QUOTA_US
start_collector() {
	local c=$1
	# Another process on the port would take the load and answer the scrapes.
	if points "$c" >/dev/null 2>&1; then
		echo "port $(telemetry_port "$c") is taken: stop what listens there first" >&2
		return 1
	fi
	if [ "$CG_OK" = 1 ]; then
		cg_make "col-$c"
		cg_quota "col-$c" "$2" "$PERIOD"
		cg_shares "col-$c" "$SHARES"
		(
			export BENCH_OTLP_PORT BENCH_TELEMETRY_PORT
			BENCH_OTLP_PORT=$(otlp_port "$c") BENCH_TELEMETRY_PORT=$(telemetry_port "$c")
			cg_exec "col-$c" taskset -c "$COL_CPUS" "$DISTRO" --config "bench/configs/throughput-$c.yaml"
		) >"$OUT/throughput-collector-$c.log" 2>&1 &
	else
		BENCH_OTLP_PORT=$(otlp_port "$c") BENCH_TELEMETRY_PORT=$(telemetry_port "$c") \
			taskset -c "$COL_CPUS" "$DISTRO" --config "bench/configs/throughput-$c.yaml" \
			>"$OUT/throughput-collector-$c.log" 2>&1 &
	fi
	colpid[$c]=$!
	local _
	for _ in $(seq 100); do
		kill -0 "${colpid[$c]}" 2>/dev/null || break
		points "$c" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "collector $c did not start; see $OUT/throughput-collector-$c.log" >&2
	return 1
}

stop_collectors() {
	local c
	for c in "${!colpid[@]}"; do
		kill "${colpid[$c]}" 2>/dev/null || true
		wait "${colpid[$c]}" 2>/dev/null || true
	done
	colpid=()
}

# load_cmd LOAD MODE PORT SECONDS sets LOADCMD.
# telemetrygen-passthrough: a metric modelmon does not map (every point passes
# through). telemetrygen-model: model.throughput of one model (matched, but no
# default rule reads that signal). telemetrygen-drift: model.drift_score of one
# model, which the default drift_high rule reads (telemetrygen sends the
# integers 0, 1, 2, … so model.accuracy would be out of its [0, 1] domain and
# refused as invalid; drift_score takes any finite value). demo: a healthy
# fleet of the seven signals and a latency histogram per model.
load_cmd() {
	local rate=$FIXED demo=$DEMO_FIXED
	if [ "$2" = saturation ]; then rate=$SATURATE demo=$DEMO_SATURATE; fi
	local tg=("$TELEMETRYGEN" metrics --otlp-endpoint "127.0.0.1:$3" --otlp-insecure --duration "$4s")
	# shellcheck disable=SC2206
	local extra=($rate) dargs=($demo)
	case $1 in
	telemetrygen-passthrough) LOADCMD=("${tg[@]}" "${extra[@]}" --otlp-metric-name gen) ;;
	telemetrygen-model)
		LOADCMD=("${tg[@]}" "${extra[@]}" --otlp-metric-name model.throughput --telemetry-attributes 'model.name="tg-model"') ;;
	telemetrygen-drift)
		LOADCMD=("${tg[@]}" "${extra[@]}" --otlp-metric-name model.drift_score --telemetry-attributes 'model.name="tg-model"') ;;
	demo) LOADCMD=("$DEMO" "${dargs[@]}" -scenario healthy -live off -duration "$4s" -endpoint "127.0.0.1:$3") ;;
	*)
		echo "unknown load $1" >&2
		return 1
		;;
	esac
}

# start_load LOAD MODE CONFIG SECONDS: one load generator against CONFIG's collector.
start_load() {
	load_cmd "$1" "$2" "$(otlp_port "$3")" "$4"
	if [ "$CG_OK" = 1 ]; then
		(cg_exec load taskset -c "$LOAD_CPUS" "${LOADCMD[@]}") >"$OUT/throughput-load-$3.log" 2>&1 &
	else
		taskset -c "$LOAD_CPUS" "${LOADCMD[@]}" >"$OUT/throughput-load-$3.log" 2>&1 &
	fi
	loadpid[$3]=$!
}

stop_loads() {
	local c
	for c in "${!loadpid[@]}"; do
		kill "${loadpid[$c]}" 2>/dev/null || true
		wait "${loadpid[$c]}" 2>/dev/null || true
	done
	loadpid=()
}

# snap CONFIG → "accepted refused cpu-ns periods throttled load-ticks" of
# CONFIG's collector and its load.
snap() {
	local a r u p t
	# The CPU time right after the scrape answers, so that both describe the same moment.
	read -r a r <<<"$(points "$1")"
	u=$(cpu_ns "$1")
	read -r p t <<<"$(throttle "$1")"
	echo "$a $r $u $p $t $(ticks "${loadpid[$1]}")"
}

# window LOAD MODE SERIES SEQ PAIR QUOTA_US CONFIG… measures SEG s of the
# collectors named (each under its own running load) at the same time and
# appends one line per collector to $RAW.
window() {
	local l=$1 m=$2 series=$3 seq=$4 pair=$5 q=$6 c b1 b2 s1 s2 la
	shift 6
	local -A at1=() at2=()
	b1=$(busy) s1=$(date +%s.%N)
	for c in "$@"; do at1[$c]=$(snap "$c"); done
	sleep "$SEG"
	for c in "$@"; do at2[$c]=$(snap "$c"); done
	b2=$(busy) s2=$(date +%s.%N)
	la=$(cut -d' ' -f1 /proc/loadavg)
	for c in "$@"; do echo "$c ${at1[$c]} ${at2[$c]}"; done | awk -v l="$l" -v m="$m" -v series="$series" \
		-v seq="$seq" -v pair="$pair" -v q="$q" -v per="$PERIOD" -v b="$((b2 - b1))" -v hz="$TICK" \
		-v s1="$s1" -v s2="$s2" -v la="$la" '
	{ c[NR] = $1; a[NR] = $8 - $2; r[NR] = $9 - $3; u[NR] = $10 - $4; p[NR] = $11 - $5; t[NR] = $12 - $6; g[NR] = $13 - $7 }
	END {
		dt = s2 - s1
		# Whatever else kept the machine busy: every CPU busy minus the collectors and loads measured
		# (in ABBA order the idle collector of the pair is in it, a few ms).
		other = b / hz / dt
		for (i = 1; i <= NR; i++) other -= u[i] / 1e9 / dt + g[i] / hz / dt
		if (other < 0) { other = 0 }
		for (i = 1; i <= NR; i++) {
			cores = u[i] / 1e9 / dt
			util = q > 0 ? sprintf("%.3f", cores / (q / per)) : "-"
			thr = p[i] > 0 ? sprintf("%.2f", t[i] / p[i]) : "-"
			printf "%s %s %s %s %d %d %.0f %.0f %.3f %s %s %.2f %.2f %s %d\n", l, m, c[i], series, seq, pair,
				a[i] / dt, (a[i] > 0 ? u[i] / a[i] : 0), cores, util, thr, g[i] / hz / dt, other, la, r[i]
		}
	}' | tee -a "$RAW"
}

# series LOAD MODE CONFIG: both collectors up and warm, then PAIRS pairs.
# simultaneous: each collector has its own load for the whole series and
# every window measures both. abba: one load at a time, restarted per
# segment, in the order without, with, with, without, …
series() {
	local l=$1 m=$2 c=$3 q=$FIXED_QUOTA s cfg pairing=$FIXED_PAIRING pairs=$FIXED_PAIRS
	if [ "$m" = saturation ]; then
		q=$QUOTA pairing=$SAT_PAIRING pairs=$SAT_PAIRS
		[ "$l" = demo ] && q=$DEMO_QUOTA
	fi
	start_collector without "$q"
	start_collector "$c" "$q"
	if [ "$pairing" = simultaneous ]; then
		# Killed after the last window; the duration is only a bound.
		start_load "$l" "$m" without $((WARM + pairs * (SEG + 10) + 60))
		start_load "$l" "$m" "$c" $((WARM + pairs * (SEG + 10) + 60))
		sleep "$WARM"
		for s in $(seq 1 "$pairs"); do
			window "$l" "$m" "$c" "$s" "$s" "$q" without "$c"
		done
		stop_loads
	else
		for cfg in without "$c"; do
			start_load "$l" "$m" "$cfg" $((WARM + 5))
			sleep "$WARM"
			stop_loads
		done
		for s in $(seq 1 $((2 * pairs))); do
			cfg=$c
			case $(((s - 1) % 4)) in 0 | 3) cfg=without ;; esac
			start_load "$l" "$m" "$cfg" $((SETTLE + SEG + 5))
			sleep "$SETTLE"
			window "$l" "$m" "$c" "$s" $(((s + 1) / 2)) "$q" "$cfg"
			stop_loads
		done
	fi
	stop_collectors
}

if [ "$CG_OK" = 1 ]; then
	# This shell too: a starved measuring shell reads the counters late and apart.
	cg_make ctl
	cg_shares ctl "$SHARES"
	echo $$ >"$CG_CPU/$CG_PREFIX-ctl/cgroup.procs"
fi
for l in $LOADS; do
	case $l in demo) [ -x "$DEMO" ] || { echo "no $DEMO: make demo-bin; demo skipped" >&2; continue; } ;; esac
	for m in $MODES; do
		if [ "$m" = saturation ] && [ "$CG_OK" != 1 ]; then
			echo "saturation skipped: $CG_REASON" >&2
			continue
		fi
		for c in $CONFIGS; do
			echo "# $l $m: without vs $c, ${SEG}s windows" >&2
			if [ "$CG_OK" = 1 ]; then
				cg_make load
				cg_shares load "$SHARES"
			fi
			series "$l" "$m" "$c"
		done
	done
done

bench/throughput-summary.sh "$RAW" | tee "$OUT/throughput.md"
