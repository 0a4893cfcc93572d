#!/usr/bin/env bash
# Throughput and CPU per point of the distro with modelmon in the pipeline
# vs the same distro and config without it (bench/configs/throughput-*.yaml),
# under the same OTLP/gRPC load: contrib telemetrygen (and modelmon-demo
# when built), at a fixed offered rate and at saturation.
#
# The collector is pinned to CPU 1 and the load to CPU 0, so that the load
# generator does not steal the collector's core. Each measurement starts a
# fresh collector, lets the load run WARM seconds, then reads the
# collector's utime+stime (/proc/<pid>/stat) and its accepted points (own
# telemetry) at the start and end of MEASURE seconds. With and without run
# back to back within a run; the summary takes their ratio per run and the
# median over runs.
#   RUNS=5 bench/throughput.sh     → bench/out/throughput.md
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WARM=${WARM:-5}
MEASURE=${MEASURE:-8}
OUT=bench/out
DISTRO=${DISTRO:-_build/otelcol-modelmon}
TELEMETRYGEN=${TELEMETRYGEN:-bin/telemetrygen}
DEMO=${DEMO:-bin/modelmon-demo}
# The testbed's Metric10kDPS offers 70,000 points/s; telemetrygen's rate is per worker.
FIXED=${FIXED:-"--workers 70 --rate 1000"}
SATURATE=${SATURATE:-"--workers 4 --rate 0"}
# modelmon-demo exports about 7 points per model per export: 1,000 × 10/s ≈ 70,000 points/s.
DEMO_FIXED=${DEMO_FIXED:-"-models 1000 -rate 10"}
# LOAD_CPUS=0,1 lets the load use both CPUs (the collector stays on CPU 1):
# the machine, not the load generator's core, then sets the saturation point.
LOAD_CPUS=${LOAD_CPUS:-0}
MODES=${MODES:-"fixed saturation"}
# CONFIGS: bench/configs/throughput-<config>.yaml; each is compared with "without".
CONFIGS=${CONFIGS:-"without with"}
TICK=$(getconf CLK_TCK)
[ -x "$DISTRO" ] || { echo "no $DISTRO: run make build" >&2; exit 1; }
[ -x "$TELEMETRYGEN" ] || { echo "no $TELEMETRYGEN: GOBIN=\$PWD/bin go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0" >&2; exit 1; }
mkdir -p "$OUT"
RAW="$OUT/throughput-raw.txt"
: >"$RAW"

col=""
load=""
cleanup() {
	[ -n "$load" ] && kill "$load" 2>/dev/null || true
	[ -n "$col" ] && kill "$col" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

points() {
	curl -sf http://127.0.0.1:14788/metrics |
		awk '/^otelcol_receiver_accepted_metric_points/ {s += $NF} END {printf "%d\n", s}'
}
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# load_cmd LOAD MODE sets LOADCMD to the load generator's command line.
# telemetrygen-passthrough sends a metric modelmon does not map (every point
# passes through); telemetrygen-model sends model.throughput of one model
# (every point is matched and evaluated); demo is a healthy model fleet.
load_cmd() {
	local rate=$FIXED dur=$((WARM + MEASURE + 5))
	[ "$2" = saturation ] && rate=$SATURATE
	local tg=("$TELEMETRYGEN" metrics --otlp-endpoint 127.0.0.1:14717 --otlp-insecure --duration "${dur}s")
	# shellcheck disable=SC2206
	local extra=($rate)
	case $1 in
	telemetrygen-passthrough) LOADCMD=("${tg[@]}" "${extra[@]}" --otlp-metric-name gen) ;;
	telemetrygen-model)
		LOADCMD=("${tg[@]}" "${extra[@]}" --otlp-metric-name model.throughput --telemetry-attributes 'model.name="tg-model"') ;;
	demo)
		# shellcheck disable=SC2206
		local args=($DEMO_FIXED)
		LOADCMD=("$DEMO" "${args[@]}" -scenario healthy -live off -duration "${dur}s" -endpoint 127.0.0.1:14717) ;;
	esac
}

# measure LOAD MODE CONFIG RUN appends one line to $RAW.
measure() {
	"$DISTRO" --config "bench/configs/throughput-$3.yaml" >"$OUT/throughput-collector.log" 2>&1 &
	col=$!
	taskset -pc 1 "$col" >/dev/null
	for _ in $(seq 100); do points >/dev/null 2>&1 && break; sleep 0.1; done
	load_cmd "$1" "$2"
	taskset -c "$LOAD_CPUS" "${LOADCMD[@]}" >"$OUT/throughput-load.log" 2>&1 &
	load=$!
	sleep "$WARM"
	local p1 c1 t1 p2 c2 t2
	p1=$(points); c1=$(cputicks "$col"); t1=$(date +%s.%N)
	sleep "$MEASURE"
	p2=$(points); c2=$(cputicks "$col"); t2=$(date +%s.%N)
	kill "$load" 2>/dev/null || true
	wait "$load" 2>/dev/null || true
	load=""
	kill "$col"
	wait "$col" 2>/dev/null || true
	col=""
	local la
	la=$(cut -d' ' -f1 /proc/loadavg)
	awk -v l="$1" -v m="$2" -v c="$3" -v r="$4" -v p="$((p2 - p1))" -v cpu="$((c2 - c1))" \
		-v t1="$t1" -v t2="$t2" -v hz="$TICK" -v la="$la" 'BEGIN {
		dt = t2 - t1
		if (p <= 0) { p = 1 }
		printf "%s %s %s %d %.0f %.0f %.3f %s\n", l, m, c, r, p / dt, cpu / hz * 1e9 / p, cpu / hz / dt, la
	}' | tee -a "$RAW"
}

loads=${LOADS:-"telemetrygen-passthrough telemetrygen-model"}
[ -z "${LOADS:-}" ] && [ -x "$DEMO" ] && loads="$loads demo"
echo "# load mode config run points/s cpu-ns/point collector-cores loadavg" >&2
for run in $(seq 1 "$RUNS"); do
	for l in $loads; do
		for m in $MODES; do
			# The demo paces itself per model; its saturation is the telemetrygen case's.
			[ "$l" = demo ] && [ "$m" = saturation ] && continue
			for c in $CONFIGS; do
				measure "$l" "$m" "$c" "$run"
			done
		done
	done
done

# Per run, with/without ratios; then medians over runs.
{
	echo "| load | mode | config | runs | points/s without | points/s with | throughput with/without | CPU ns/point without | CPU ns/point with | CPU per point with/without | collector cores with |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ k = $1 " " $2; pps[k, $3, $4] = $5; cpu[k, $3, $4] = $6; cores[k, $3, $4] = $7; runs[k, $4] = 1; keys[k] = 1
  if ($3 != "without") cfgs[$3] = 1 }
END {
	for (k in keys) for (c in cfgs) {
		n = 0
		for (rk in runs) { split(rk, parts, SUBSEP); if (parts[1] != k) continue; r = parts[2]
			if (!((k, c, r) in pps) || !((k, "without", r) in pps)) continue
			n++; a[n] = pps[k, "without", r]; b[n] = pps[k, c, r]; tr[n] = b[n] / a[n]
			ca[n] = cpu[k, "without", r]; cb[n] = cpu[k, c, r]; cr[n] = cb[n] / ca[n]; co[n] = cores[k, c, r] }
		if (n == 0) continue
		split(k, lm, " ")
		printf "| %s | %s | %s | %d | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f | %.2f |\n", lm[1], lm[2], c, n,
			median(a, n), median(b, n), median(tr, n), median(ca, n), median(cb, n), median(cr, n), median(co, n)
	}
}' "$RAW" | sort
} | tee "$OUT/throughput.md"
