#!/usr/bin/env bash
# Micro benchmarks of the modelmon processor: floors and ConsumeMetrics per
# point, the 1k–100k model curve, memory per model-signal and the
# evaluation tick. RUNS separate invocations; each run measures floors and
# processor back to back, and the report takes ratios within a run.
#   RUNS=5 bench/micro.sh            → bench/out/micro.md
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
rm -f "$OUT"/micro-*.txt
# PARTS selects benchmarks: perpoint (floors A, B and H and ConsumeMetrics),
# curve, tick, memory, healthbuild (ways of building the health metrics),
# parallel (ConsumeMetrics and OTLP decode from GOMAXPROCS goroutines at
# -cpu 1 and 2; CPUS overrides the list).
# PERPOINT narrows perpoint, e.g. PERPOINT='^BenchmarkPerPoint$/^fleet$'.
PARTS=${PARTS:-"perpoint curve tick memory"}
go test -c -o "$OUT/modelmonprocessor.test" ./modelmonprocessor
bench() { "$OUT/modelmonprocessor.test" -test.run '^$' -test.bench "$@"; }
for i in $(seq 1 "$RUNS"); do
	echo "micro run $i/$RUNS" >&2
	{
		for part in $PARTS; do
			case $part in
			perpoint) bench "${PERPOINT:-^BenchmarkPerPoint\$}" -test.benchmem -test.benchtime "${BENCHTIME:-1s}" ;;
			curve) bench '^BenchmarkModels$' -test.benchmem -test.benchtime 3x ;;
			tick) bench '^BenchmarkEvaluationTick$' -test.benchmem -test.benchtime 5x ;;
			memory) bench '^BenchmarkMemoryPerModelSignal$' -test.benchtime 1x ;;
			healthbuild) bench '^BenchmarkHealthBuild$' -test.benchmem -test.benchtime "${BENCHTIME:-1s}" ;;
			parallel) bench '^BenchmarkParallel$' -test.benchmem -test.cpu "${CPUS:-1,2}" -test.benchtime "${BENCHTIME:-1s}" ;;
			esac
		done
	} > "$OUT/micro-$i.txt"
done
go run ./bench/microreport "$OUT"/micro-*.txt | tee "$OUT/micro.md"
