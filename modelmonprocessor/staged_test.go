package modelmonprocessor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/internal/testing/stagedtest"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// t0 is the origin of every offset in the staged fixtures.
var t0 = time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)

// TestStaged replays testdata/<case>/N.test files through one engine per
// case. Each step sets the clock (-- now --), optionally consumes a batch
// (-- in --) and runs the ticker (-- tick --), then compares the events that
// left with -- out -- and, if present, the health metrics with -- health --.
func TestStaged(t *testing.T) {
	for _, dir := range stagedtest.Cases(t, "testdata/staged/*") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			e, sink := stagedEngine(t, filepath.Join(dir, "config.yaml"))
			for _, step := range stagedtest.Stages(t, dir) {
				runStep(t, e, sink, step.Path)
			}
		})
	}
}

func stagedEngine(t *testing.T, configPath string) (*engine, *consumertest.LogsSink) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	conf, err := confmaptest.LoadConf(configPath)
	require.NoError(t, err)
	require.NoError(t, conf.Unmarshal(cfg))
	e, err := newEngine(cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	sink := new(consumertest.LogsSink)
	e.addLogsConsumer(sink)
	t.Cleanup(func() { require.NoError(t, e.shutdown(context.Background())) })
	return e, sink
}

type stepFile struct {
	now    time.Time
	in     []string
	tick   bool
	out    []string
	health []string
	hasH   bool
}

// parseStep reads one N.test file: "-- now --", "-- in --", "-- tick --",
// "-- out --" and "-- health --" sections; blank lines and lines starting
// with # are comments.
func parseStep(t *testing.T, path string) stepFile {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	comment, sections := stagedtest.Parse(string(raw))
	require.Empty(t, lines(comment), "%s: lines outside a section", path)
	var s stepFile
	for name, body := range sections {
		switch name {
		case "now":
			for _, l := range lines(body) {
				s.now = at(t, l)
			}
		case "in":
			s.in = lines(body)
		case "tick":
			s.tick = true
		case "out":
			s.out = lines(body)
		case "health":
			s.hasH = true
			s.health = lines(body)
		default:
			t.Fatalf("%s: unknown section %q", path, name)
		}
	}
	return s
}

// lines returns the non-blank lines of body that are not # comments,
// trimmed.
func lines(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func at(t *testing.T, offset string) time.Time {
	d, err := time.ParseDuration(offset)
	require.NoError(t, err, offset)
	return t0.Add(d)
}

func offset(ts time.Time) string {
	if ts.IsZero() {
		return "-"
	}
	d := ts.Sub(t0)
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// buildBatch turns lines `metric value attr=v… [r.attr=v…] [@offset]` into
// gauges; attributes prefixed r. go to the resource. Points with the same
// resource share a ResourceMetrics.
func buildBatch(t *testing.T, lines []string, now time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	byRes := map[string]pmetric.MetricSlice{}
	for _, line := range lines {
		f := strings.Fields(line)
		require.GreaterOrEqual(t, len(f), 2, line)
		ts := now
		var res, point [][2]string
		for _, kv := range f[2:] {
			if strings.HasPrefix(kv, "@") {
				ts = at(t, kv[1:])
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, line)
			if strings.HasPrefix(k, "r.") {
				res = append(res, [2]string{k[2:], v})
			} else {
				point = append(point, [2]string{k, v})
			}
		}
		resKey := fmt.Sprint(res)
		ms, ok := byRes[resKey]
		if !ok {
			rm := md.ResourceMetrics().AppendEmpty()
			for _, a := range res {
				rm.Resource().Attributes().PutStr(a[0], a[1])
			}
			ms = rm.ScopeMetrics().AppendEmpty().Metrics()
			byRes[resKey] = ms
		}
		m := ms.AppendEmpty()
		m.SetName(f[0])
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		v, err := strconv.ParseFloat(f[1], 64)
		require.NoError(t, err, line)
		dp.SetDoubleValue(v)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		for _, a := range point {
			dp.Attributes().PutStr(a[0], a[1])
		}
	}
	return md
}

func runStep(t *testing.T, e *engine, sink *consumertest.LogsSink, path string) {
	s := parseStep(t, path)
	require.False(t, s.now.IsZero(), "%s: -- now -- is required", path)
	e.clock = func() time.Time { return s.now }
	sink.Reset()
	var health []string
	if s.in != nil {
		md := buildBatch(t, s.in, s.now)
		out, err := e.processMetrics(context.Background(), md)
		require.NoError(t, err)
		health = healthLines(out)
	}
	if s.tick {
		e.tick()
	}
	var got []string
	for _, ld := range sink.AllLogs() {
		r := modelevent.DecodeLogs(ld)
		require.Zero(t, r.Malformed, "%s: %v", path, r.Errors)
		for _, ev := range r.Events {
			got = append(got, eventLine(ev.Violation))
		}
	}
	require.Equal(t, s.out, got, "%s: events", path)
	if s.hasH {
		require.Equal(t, s.health, health, "%s: health metrics", path)
	}
}

func eventLine(v modelevent.Violation) string {
	line := fmt.Sprintf("%s %s %s observed=%s threshold=%s samples=%d at=%s started=%s",
		v.State, v.Rule, v.ModelID(), strconv.FormatFloat(v.Observed, 'g', 4, 64),
		strconv.FormatFloat(v.Threshold, 'g', 4, 64), v.WindowSamples, offset(v.Time), offset(v.StartedAt))
	if v.ResolvedReason != "" {
		line += " reason=" + v.ResolvedReason
	}
	return line
}

// healthLines renders the appended health metrics as
// `metric rule model value [state]`.
func healthLines(md pmetric.Metrics) []string {
	var lines []string
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			if sms.At(j).Scope().Name() != metadata.ScopeName {
				continue
			}
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				dps := m.Gauge().DataPoints()
				for d := 0; d < dps.Len(); d++ {
					dp := dps.At(d)
					attrs := dp.Attributes()
					rule, _ := attrs.Get(modelevent.AttrRule)
					name, _ := attrs.Get(modelevent.AttrModelName)
					ver, _ := attrs.Get(modelevent.AttrModelVersion)
					line := fmt.Sprintf("%s %s %s:%s", m.Name(), rule.AsString(), name.AsString(), ver.AsString())
					if st, ok := attrs.Get(modelevent.AttrAlertState); ok {
						line += " " + st.Str()
					} else {
						th, _ := attrs.Get(modelevent.AttrThreshold)
						line += fmt.Sprintf(" %s threshold=%s", strconv.FormatFloat(dp.DoubleValue(), 'g', 4, 64),
							strconv.FormatFloat(th.Double(), 'g', 4, 64))
					}
					lines = append(lines, line)
				}
			}
		}
	}
	return lines
}
