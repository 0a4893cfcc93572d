#!/bin/sh
# Reads retraining jobs from the Redis stream as one consumer of a consumer
# group (XREADGROUP), pipes each job's JSON to $TRAIN and acknowledges it
# (XACK) only when training succeeded. Unacknowledged jobs stay in the group's
# pending list: another worker takes them over with XAUTOCLAIM.
set -u
stream="${STREAM:-modelmon:retrain}"; group="${GROUP:-trainers}"; me="${CONSUMER:-$(hostname)}"
train="${TRAIN:-./train.sh}"
cli() { redis-cli -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" "$@"; }

# The group starts at the stream's beginning; "already exists" is fine.
cli XGROUP CREATE "$stream" "$group" 0 MKSTREAM >/dev/null 2>&1

while :; do
  # --raw prints one value per line: stream, entry id, "job_id", <id>, "job", <json>.
  out=$(cli --raw XREADGROUP GROUP "$group" "$me" COUNT 1 BLOCK "${BLOCK_MS:-5000}" STREAMS "$stream" '>')
  if [ -z "$out" ]; then
    [ -n "${ONCE:-}" ] && exit 0   # ONCE=1: stop when the stream is drained
    continue
  fi
  id=$(printf '%s\n' "$out" | sed -n 2p)
  printf '%s\n' "$out" | sed -n 6p | "$train" && cli XACK "$stream" "$group" "$id" >/dev/null
done
