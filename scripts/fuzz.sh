#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 20s). A finding is written
# by go test under the package's testdata/fuzz/<Target>/ and fails the run. A
# fuzz run that exits non-zero without writing an input (Go's fuzzer reports
# "context deadline exceeded" when fuzztime ends while a worker is still busy,
# more often on a loaded machine) is run again, up to three attempts in all.
# New interesting inputs are minimised for at most FUZZMINIMIZETIME (2s), so a
# short run fuzzes instead of minimising.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-20s}
GO=${GO:-go}
targets=(
  "./modelevent FuzzDecodeLogs"
  "./modelmonprocessor FuzzProcessMetrics"
  "./modelmonprocessor FuzzConfig"
  "./modelmonprocessor FuzzRestore"
  "./modelmonprocessor/internal/drift FuzzHist"
  "./modelmonprocessor/internal/drift FuzzHistDecode"
  "./alertwebhookexporter FuzzConfig"
  "./alertwebhookexporter FuzzRenderPayloads"
  "./alertwebhookexporter/internal/payload FuzzSlackText"
  "./retrainqueueexporter FuzzConfig"
)
corpus_count() { find "$1/testdata/fuzz/$2" -type f 2>/dev/null | wc -l; }
status=0
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  for attempt in 1 2 3; do
    before=$(corpus_count "$pkg" "$name")
    if "$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="${FUZZMINIMIZETIME:-2s}" "$pkg"; then
      break
    fi
    after=$(corpus_count "$pkg" "$name")
    if [ "$after" -gt "$before" ] || [ "$attempt" = 3 ]; then
      echo "fuzz: $name in $pkg failed (new inputs under $pkg/testdata/fuzz/$name: $((after - before)))" >&2
      status=1
      break
    fi
    echo "fuzz: $name in $pkg exited without a finding; running it again" >&2
  done
done
exit $status
