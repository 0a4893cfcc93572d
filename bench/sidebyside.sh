#!/usr/bin/env bash
# Two builds of the processor's per-point benchmark side by side: OLD and NEW
# are test binaries (go test -c ./modelmonprocessor) of the code before and
# after a change. Each round starts both at the same time (the order of the
# two starts alternating per round), so both see the same momentary load of
# the machine, and the report takes each case's CPU time per point against
# floor B of the same binary's run, then new ÷ old per round.
#   OLD=old.test NEW=new.test ROUNDS=10 bench/sidebyside.sh   → bench/out/sidebyside.md
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OLD:?path of the old test binary}" "${NEW:?path of the new test binary}"
ROUNDS=${ROUNDS:-10}
OUT=${OUT:-bench/out/sidebyside}
BENCH=${BENCH:-'^BenchmarkPerPoint$/^(fleet|testbed_models|fleet_hist)$/^(floor_b|matched_nohealth|histogram_nohealth)$'}
BENCHTIME=${BENCHTIME:-2000x}
mkdir -p "$OUT"
rm -f "$OUT"/old-*.txt "$OUT"/new-*.txt
run() { "$1" -test.run '^$' -test.bench "$BENCH" -test.cpu 1 -test.benchtime "$BENCHTIME" >"$2"; }
for i in $(seq 1 "$ROUNDS"); do
	echo "round $i/$ROUNDS, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	if ((i % 2)); then
		run "$OLD" "$OUT/old-$i.txt" & a=$!
		run "$NEW" "$OUT/new-$i.txt" & b=$!
	else
		run "$NEW" "$OUT/new-$i.txt" & b=$!
		run "$OLD" "$OUT/old-$i.txt" & a=$!
	fi
	wait "$a" "$b"
done
go run ./bench/sidebyside "$OUT" | tee "$OUT.md"
