package modelmonprocessor

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

const (
	attackModels = 1_000_000
	attackBatch  = 10_000
	attackLimit  = 10_000
)

// attackBatchOf is one batch of attackBatch accuracy points, each of its own
// model; rename rewrites the names in place so the attack allocates no
// batches of its own and the heap shows the processor's state only.
func attackBatchOf() (pmetric.Metrics, func(round int)) {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.accuracy")
	dps := m.SetEmptyGauge().DataPoints()
	dps.EnsureCapacity(attackBatch)
	for i := 0; i < attackBatch; i++ {
		dp := dps.AppendEmpty()
		dp.SetDoubleValue(0.97)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0))
		dp.Attributes().PutStr("model.name", "")
		dp.Attributes().PutStr("model.version", "1")
	}
	rename := func(round int) {
		prefix := "attack-" + strconv.Itoa(round) + "-"
		for i := 0; i < attackBatch; i++ {
			dps.At(i).Attributes().PutStr("model.name", prefix+strconv.Itoa(i))
		}
	}
	return md, rename
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestCardinalityAttack sends 1,000,000 distinct model names to a processor
// with max_models 10000: the first 10,000 are tracked, the rest refused and
// counted, the heap stops growing at the limit, and a model tracked before
// the attack still alerts during and after it.
func TestCardinalityAttack(t *testing.T) {
	cfg := rules(below("r", "accuracy", "last", 0.9))
	cfg.MaxModels = attackLimit
	cfg.HealthMetrics = false
	sink := new(consumertest.LogsSink)
	e, tel := testEngine(t, cfg, sink)
	ctx := context.Background()
	send := func(md pmetric.Metrics) {
		t.Helper()
		_, err := e.processMetrics(ctx, md)
		require.NoError(t, err)
	}
	bad := func(at time.Duration) pmetric.Metrics {
		return hostileBatch(stdKey("victim", "1"), []hostilePoint{{"model.accuracy", 0.5, t0.Add(at)}})
	}
	healthy := func(at time.Duration) pmetric.Metrics {
		return hostileBatch(stdKey("victim", "1"), []hostilePoint{{"model.accuracy", 0.97, t0.Add(at)}})
	}

	md, rename := attackBatchOf()
	empty := heapInUse()
	send(healthy(0)) // the victim is tracked before the attack
	rounds := attackModels / attackBatch
	rename(0)
	send(md) // fills the table: 9,999 attack models and the victim
	before := heapInUse()
	for round := 1; round < rounds; round++ {
		if round == rounds/2 {
			e.clock = func() time.Time { return t0.Add(time.Second) }
			send(bad(time.Second))
			require.Len(t, violations(sink), 1, "the victim alerts in the middle of the attack")
			send(healthy(2 * time.Second))
		}
		rename(round)
		send(md)
	}
	after := heapInUse()
	t.Logf("heap: %.1f MiB with no model, %.1f MiB with %d models tracked, %.1f MiB after %d more names",
		mib(empty), mib(before), e.modelsLen(), mib(after), attackModels-attackBatch)

	assert.Equal(t, attackLimit, e.modelsLen())
	got := sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome")
	assert.Equal(t, int64(attackModels-attackLimit+1), got["over_limit"], "every refused name is counted")
	assert.Equal(t, int64(attackLimit-1+3), got["matched"], "the tracked attack models and the victim's points")
	// 990,000 refused names must not cost memory: allow GC noise only.
	assert.Less(t, float64(after), float64(before)+8<<20, "heap grew by %d bytes", int64(after)-int64(before))

	e.clock = func() time.Time { return t0.Add(3 * time.Second) }
	send(bad(3 * time.Second))
	var firing int
	for _, v := range violations(sink) {
		if v.ModelID() == "victim:1" && v.State == "firing" {
			firing++
		}
	}
	assert.Equal(t, 2, firing, "the victim alerts again after the attack")
}
