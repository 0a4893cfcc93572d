#!/usr/bin/env bash
# Detection latency: otelcol-modelmon (alert_webhook) vs Prometheus +
# Alertmanager scraping the same collector, at defaults and at tight
# settings, all on loopback, all fed by one simulated service.
#   RUNS=5 bench/latency.sh        → bench/out/latency.md
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OUT=bench/out
DISTRO=${DISTRO:-_build/otelcol-modelmon}
PROMETHEUS=${PROMETHEUS:-$(command -v prometheus || true)}
ALERTMANAGER=${ALERTMANAGER:-$(command -v prometheus-alertmanager || command -v alertmanager || true)}
[ -x "$DISTRO" ] || { echo "no $DISTRO: run make build" >&2; exit 1; }
[ -n "$PROMETHEUS" ] || { echo "prometheus not found (apt-get install prometheus)" >&2; exit 1; }
[ -n "$ALERTMANAGER" ] || { echo "alertmanager not found (apt-get install prometheus-alertmanager)" >&2; exit 1; }
mkdir -p "$OUT"
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/latency" ./bench/latency
"$DISTRO" --config bench/configs/latency-collector.yaml >"$OUT/latency-collector.log" 2>&1 &
pids+=($!)
for t in default tight; do
	case $t in default) pp=14790 ap=14793 ;; tight) pp=14791 ap=14794 ;; esac
	"$ALERTMANAGER" --config.file="bench/configs/alertmanager-$t.yml" --storage.path="$work/am-$t" \
		--web.listen-address="127.0.0.1:$ap" --cluster.listen-address= >"$OUT/latency-am-$t.log" 2>&1 &
	pids+=($!)
	"$PROMETHEUS" --config.file="bench/configs/prometheus-$t.yml" --storage.tsdb.path="$work/prom-$t" \
		--web.listen-address="127.0.0.1:$pp" >"$OUT/latency-prom-$t.log" 2>&1 &
	pids+=($!)
done
# Wait until every server answers before the first run.
for url in http://127.0.0.1:14790/-/ready http://127.0.0.1:14791/-/ready \
	http://127.0.0.1:14793/-/ready http://127.0.0.1:14794/-/ready; do
	for _ in $(seq 100); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
done
"$work/latency" -runs "$RUNS" -healthy "${HEALTHY:-20s}" -timeout "${TIMEOUT:-4m}" -jitter "${JITTER:-1m}" \
	-targets modelmon,am-default,am-tight | tee "$OUT/latency.md"
