package telemetry

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestRecord(t *testing.T) {
	ctx := context.Background()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(ctx)) }()
	tel, err := New(tt.NewTelemetrySettings())
	require.NoError(t, err)

	c := Counts{}
	c[Matched], c[Late], c[OverLimit] = 5, 1, 2
	tel.RecordDataPoints(ctx, &c)
	tel.RecordDataPoints(ctx, &Counts{Matched: 1})
	tel.RecordModels(ctx, 3)
	tel.RecordEvents(ctx, 2, 1)
	tel.RecordDropped(ctx, 4)
	tel.RecordOutbox(ctx, 7)

	tests := []struct {
		metric string
		attr   string
		want   map[string]int64
	}{
		{MetricDataPoints, "outcome", map[string]int64{"matched": 6, "late": 1, "over_limit": 2}},
		{MetricEvents, "state", map[string]int64{"firing": 2, "resolved": 1}},
		{MetricEventsDropped, "", map[string]int64{"": 4}},
		{MetricModels, "", map[string]int64{"": 3}},
		{MetricOutboxLength, "", map[string]int64{"": 7}},
	}
	for _, tc := range tests {
		t.Run(tc.metric, func(t *testing.T) {
			m, err := tt.GetMetric(tc.metric)
			require.NoError(t, err)
			got := map[string]int64{}
			add := func(v int64, attrs interface{ Value(string) string }) { got[attrs.Value(tc.attr)] += v }
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					add(dp.Value, setValue{dp.Attributes})
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					add(dp.Value, setValue{dp.Attributes})
				}
			default:
				t.Fatalf("unexpected data %T", m.Data)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	assert.Equal(t, "unknown", Outcome(99).String())
}

type setValue struct{ s attribute.Set }

func (v setValue) Value(k string) string {
	x, _ := v.s.Value(attribute.Key(k))
	return x.String()
}
