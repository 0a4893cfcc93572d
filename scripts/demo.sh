#!/usr/bin/env bash
# make demo: the collector with otelcol-config.yaml, the webhook sink and a
# simulated fleet, all on this machine. Alerts print as the sink receives them,
# retraining jobs as they appear in the file queue. Ctrl-C (or DEMO_DURATION,
# e.g. 3m) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

DISTRO=./_build/otelcol-modelmon
DEMO=./bin/modelmon-demo
DURATION="${DEMO_DURATION:-0}"
[ "$DURATION" = 0 ] || [[ "$DURATION" =~ [a-z]$ ]] || DURATION="${DURATION}s"

# Fresh state each run: retraining cooldowns and alert dedup persist otherwise.
export MODELMON_VAR=./var/demo
rm -rf "$MODELMON_VAR"
mkdir -p "$MODELMON_VAR"
# The sink checks the signature of every notification with this secret.
MODELMON_WEBHOOK_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
export MODELMON_WEBHOOK_SECRET
export MODELMON_ALERT_URL=http://127.0.0.1:8088/alerts

pids=()
cleanup() {
  trap - EXIT INT TERM
  # Newest first: the fleet stops before the collector, the collector before the sink.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo: stopped; collector log in $MODELMON_VAR/collector.log, jobs in $MODELMON_VAR/retrain-queue/ready/"
}
trap cleanup EXIT INT TERM

for port in 4317 4318 8088 8890 13133; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is in use (another collector or sink running?)" >&2
    exit 1
  fi
done

"$DEMO" sink -listen 127.0.0.1:8088 &
pids+=($!)

# Alerts are grouped per model so that each shows up a few seconds after it
# fires; a 30s window lets resolutions follow within the demo's first minutes.
"$DISTRO" --config otelcol-config.yaml \
  --config 'yaml:exporters::alert_webhook::signing_secret: ["${env:MODELMON_WEBHOOK_SECRET}"]' \
  --config 'yaml:exporters::alert_webhook::group_by: [model_name, model_version]' \
  --config 'yaml:exporters::alert_webhook::group_wait: 2s' \
  --config 'yaml:exporters::alert_webhook::group_interval: 10s' \
  --config 'yaml:processors::modelmon::window::duration: 30s' \
  --config 'yaml:processors::modelmon/genai::presets: [genai]' \
  --config 'yaml:processors::modelmon/genai::window::duration: 30s' \
  --config 'yaml:service::pipelines::metrics::processors: [memory_limiter, modelmon, modelmon/genai, batch]' \
  --config 'yaml:service::pipelines::logs::processors: [memory_limiter, modelmon, modelmon/genai]' \
  >"$MODELMON_VAR/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null http://127.0.0.1:13133/ 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null http://127.0.0.1:13133/ || { echo "demo: collector did not start:" >&2; tail -20 "$MODELMON_VAR/collector.log" >&2; exit 1; }
echo "demo: collector healthy (metrics :8889/metrics, own telemetry :8888/metrics, log $MODELMON_VAR/collector.log)"
echo "demo: status page http://127.0.0.1:8890/ (alerts http://127.0.0.1:8890/alerts)"

"$DEMO" jobs -dir "$MODELMON_VAR/retrain-queue" &
pids+=($!)

"$DEMO" -scenario mixed -models 6 -llm -live lines -duration "$DURATION" &
fleet=$!
pids+=("$fleet")
wait "$fleet"
