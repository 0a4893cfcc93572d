package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// exportMethod is the OTLP/gRPC metrics Export method.
const exportMethod = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"

// rawCodec sends bytes as they are, so that the test can put a malformed
// protobuf message on the wire under the proto content subtype.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: %T", v)
	}
	return b, nil
}

func (rawCodec) Unmarshal(_ []byte, _ any) error { return nil }
func (rawCodec) Name() string                    { return "proto" }

// accuracyPoints builds one request with an accuracy point per value for model.
func accuracyPoints(model string, values ...float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "bad-input")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.accuracy")
	g := m.SetEmptyGauge()
	now := time.Now()
	for i, v := range values {
		dp := g.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommonTime(now.Add(time.Duration(i) * time.Millisecond)))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr(modelevent.AttrModelName, model)
		dp.Attributes().PutStr(modelevent.AttrModelVersion, "v1")
	}
	return md
}

// TestBadInputKeepsServing throws malformed and hostile requests at both
// OTLP endpoints. Each must get an error answer, or be accepted with its bad
// points counted as invalid; afterwards the collector still turns a degraded
// model into a violation event.
func TestBadInputKeepsServing(t *testing.T) {
	sink := newLogSink(t)
	c := newCollector(t, payloadConfig, map[string]any{"SinkURL": sink.srv.URL})
	c.start()

	huge := strings.Repeat("x", 4<<20)
	hugeJSON := `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"model.accuracy","gauge":{"dataPoints":[` +
		`{"asDouble":0.5,"attributes":[{"key":"model.name","value":{"stringValue":"` + huge + `"}},` +
		`{"key":"model.version","value":{"stringValue":"` + huge + `"}}]}]}}]}]}]}`

	httpCases := []struct {
		name        string
		contentType string
		body        []byte
		want        []int
	}{
		{"malformed protobuf", "application/x-protobuf", []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01}, []int{http.StatusBadRequest}},
		{"not JSON", "application/json", []byte(`{"resourceMetrics": [`), []int{http.StatusBadRequest}},
		{"wrong JSON shape", "application/json", []byte(`{"resourceMetrics": "all of them"}`), []int{http.StatusBadRequest}},
		{"wrong JSON types", "application/json", []byte(`{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":7}]}]}]}`), []int{http.StatusBadRequest}},
		{"unsupported content type", "text/plain", []byte("accuracy=0.5"), []int{http.StatusUnsupportedMediaType}},
		// Accepted (its model key is just long) or refused as too large: never a crash.
		{"huge attribute values", "application/json", []byte(hugeJSON), []int{http.StatusOK, http.StatusRequestEntityTooLarge, http.StatusBadRequest}},
	}
	for _, tc := range httpCases {
		t.Run("http/"+tc.name, func(t *testing.T) {
			code, answer := postOTLP(t, c, tc.contentType, tc.body)
			assert.Contains(t, tc.want, code, "answer: %s", answer)
			assert.True(t, c.healthy(), "collector unhealthy after %s", tc.name)
		})
	}

	invalidBefore, _ := c.metric("otelcol_processor_modelmon_datapoints", `outcome="invalid_value"`)
	t.Run("http/NaN and out-of-domain values", func(t *testing.T) {
		body, err := pmetricotlp.NewExportRequestFromMetrics(accuracyPoints("nan-http", math.NaN(), math.Inf(1), 1.7, -0.2)).MarshalProto()
		require.NoError(t, err)
		code, answer := postOTLP(t, c, "application/x-protobuf", body)
		assert.Equal(t, http.StatusOK, code, "answer: %s", answer)
	})

	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(c.Ports.GRPC), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	t.Run("grpc/malformed protobuf", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out []byte
		err := conn.Invoke(ctx, exportMethod, []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01}, &out, grpc.ForceCodec(rawCodec{}))
		require.Error(t, err)
		assert.Contains(t, []codes.Code{codes.Internal, codes.InvalidArgument}, status.Code(err), "%v", err)
		assert.True(t, c.healthy())
	})
	t.Run("grpc/NaN and out-of-domain values", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req := pmetricotlp.NewExportRequestFromMetrics(accuracyPoints("nan-grpc", math.NaN(), math.Inf(-1), 2, -1))
		_, err := pmetricotlp.NewGRPCClient(conn).Export(ctx, req)
		require.NoError(t, err)
	})
	t.Run("invalid values counted", func(t *testing.T) {
		require.Eventually(t, func() bool {
			v, _ := c.metric("otelcol_processor_modelmon_datapoints", `outcome="invalid_value"`)
			return v-invalidBefore >= 8
		}, 10*time.Second, 50*time.Millisecond, "8 NaN/Inf/out-of-domain points not counted invalid_value")
		assert.Empty(t, sink.find(func(v modelevent.Violation) bool {
			return strings.HasPrefix(v.ModelKeyValue(modelevent.AttrModelName), "nan-")
		}), "invalid values must not drive rules")
	})

	t.Run("still serving", func(t *testing.T) {
		require.True(t, c.healthy())
		sendPayload(t, c, "healthy.json")
		sendPayload(t, c, "degraded-accuracy.json")
		require.Eventually(t, func() bool {
			return len(sink.find(ruleState("accuracy_low", modelevent.StateFiring))) > 0
		}, 30*time.Second, 50*time.Millisecond, "no event after the bad input")
	})
}
