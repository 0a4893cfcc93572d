package configfuzz

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"
)

type testConfig struct {
	Name  string `mapstructure:"name"`
	Count int    `mapstructure:"count"`
}

func TestUnmarshalKeepsDefaults(t *testing.T) {
	cfg := &testConfig{Name: "default", Count: 3}
	if !Unmarshal([]byte("count: 5\n"), cfg) {
		t.Fatal("valid YAML refused")
	}
	if cfg.Name != "default" || cfg.Count != 5 {
		t.Fatalf("got %+v, want the default name and count 5", *cfg)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	for _, raw := range []string{"count: [1", "- a\n- b\n", "count: many\n", "unknown: 1\n"} {
		if Unmarshal([]byte(raw), &testConfig{}) {
			t.Errorf("%q accepted", raw)
		}
	}
}

// recordingTB records Fatalf instead of stopping the test.
type recordingTB struct {
	testing.TB
	failures []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func TestRequireNoSecret(t *testing.T) {
	secrets := []configopaque.String{"format", "long-SECRET-0123456789"}
	for _, c := range []struct {
		text string
		fail bool
	}{
		{"unknown format", false},
		{"bad key long-SECRET-0123456789", true},
		{"bad key long-SECRET", false},
	} {
		r := &recordingTB{}
		RequireNoSecret(r, c.text, secrets)
		if got := len(r.failures) > 0; got != c.fail {
			t.Errorf("%q: failed %v, want %v", c.text, got, c.fail)
		}
	}
}
