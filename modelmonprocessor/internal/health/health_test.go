package health

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

func resource(kv ...string) pcommon.Resource {
	r := pcommon.NewResource()
	for i := 0; i < len(kv); i += 2 {
		r.Attributes().PutStr(kv[i], kv[i+1])
	}
	return r
}

// TestGroupsByResource: models with equal resources share a ResourceMetrics
// (attribute order does not matter), unequal ones that hash alike do not.
func TestGroupsByResource(t *testing.T) {
	var b Builder
	x1 := resource("service.name", "x", "host", "h1")
	x2 := resource("host", "h1", "service.name", "x")
	y := resource("service.name", "y")
	b.Add(x1, 1, 1, 0)
	b.Skip()
	b.Add(y, 1, 1, 1) // same hash as x: a collision, another group
	b.Add(x2, 1, 2, 0)
	require.Equal(t, 2, b.Len())
	md := pmetric.NewMetrics()
	b.Layout(md, "scope")
	for i := range 4 {
		if !b.Reported(i) {
			assert.Equal(t, 1, i)
			continue
		}
		b.Value(i).SetDoubleValue(float64(i))
	}
	b.Active(2).SetIntValue(1)
	require.Equal(t, 2, md.ResourceMetrics().Len())
	xs := md.ResourceMetrics().At(0).ScopeMetrics().At(0)
	assert.Equal(t, "scope", xs.Scope().Name())
	assert.Equal(t, MetricRuleValue, xs.Metrics().At(0).Name())
	assert.Equal(t, 2, xs.Metrics().At(0).Gauge().DataPoints().Len(), "models 0 and 3 share x")
	ys := md.ResourceMetrics().At(1).ScopeMetrics().At(0)
	assert.Equal(t, 2, ys.Metrics().Len())
	assert.Equal(t, MetricAlertActive, ys.Metrics().At(1).Name())

	b.Reset()
	assert.Zero(t, b.Len())
}

func TestDue(t *testing.T) {
	every := 10 * time.Second
	s := int64(time.Second)
	assert.True(t, Due(0, 0, 0, 5*s, every), "first emission")
	assert.False(t, Due(5*s, 3, 3, 10*s, every), "within the interval, nothing changed")
	assert.True(t, Due(5*s, 4, 3, 10*s, every), "a state changed")
	assert.True(t, Due(5*s, 3, 3, 15*s, every), "the interval passed")
	assert.True(t, Due(5*s, 3, 3, 4*s, every), "a clock that went back")
}
