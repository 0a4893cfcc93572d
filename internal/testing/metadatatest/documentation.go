package metadatatest

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Documentation renders the documentation.md that mdatagen writes for md:
// one section per instrument, in the order of their keys.
func Documentation(md Metadata) string {
	var b strings.Builder
	b.WriteString("[comment]: <> (Rendered from metadata.yaml; metadata_test.go fails when they differ.)\n\n")
	fmt.Fprintf(&b, "# %s\n\n", md.Type)
	if len(md.Telemetry.Metrics) == 0 {
		return b.String()
	}
	b.WriteString("## Internal Telemetry\n\nThe following telemetry is emitted by this component.\n")
	for _, key := range sortedKeys(md.Telemetry.Metrics) {
		m := md.Telemetry.Metrics[key]
		fmt.Fprintf(&b, "\n### otelcol_%s\n\n%s\n\n", key, m.Description)
		switch {
		case m.Sum != nil:
			b.WriteString("| Unit | Metric Type | Value Type | Monotonic |\n| ---- | ----------- | ---------- | --------- |\n")
			fmt.Fprintf(&b, "| %s | Sum | %s | %t |\n", m.Unit, valueType(m.Sum), m.Sum.Monotonic)
		case m.Gauge != nil:
			b.WriteString("| Unit | Metric Type | Value Type |\n| ---- | ----------- | ---------- |\n")
			fmt.Fprintf(&b, "| %s | Gauge | %s |\n", m.Unit, valueType(m.Gauge))
		case m.Histogram != nil:
			b.WriteString("| Unit | Metric Type | Value Type |\n| ---- | ----------- | ---------- |\n")
			fmt.Fprintf(&b, "| %s | Histogram | %s |\n", m.Unit, valueType(m.Histogram))
		}
	}
	return b.String()
}

func valueType(v *Values) string {
	if v.ValueType == "int" {
		return "Int"
	}
	return "Double"
}

// AssertDocumentation fails when the file at path is not Documentation(md).
// With UPDATE_DOCUMENTATION=1 in the environment it writes the file instead.
func AssertDocumentation(t *testing.T, md Metadata, path string) {
	t.Helper()
	want := Documentation(md)
	if os.Getenv("UPDATE_DOCUMENTATION") != "" {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o600))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, string(got), "%s is out of date: run the test with UPDATE_DOCUMENTATION=1", path)
}

// AssertStatusTable fails unless the README at path holds the status table
// of md: stability per level, distributions and warnings.
func AssertStatusTable(t *testing.T, md Metadata, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	for _, level := range sortedKeys(md.Status.Stability) {
		assert.Contains(t, readme, fmt.Sprintf("| Stability     | [%s]: %s |", level, strings.Join(md.Status.Stability[level], ", ")))
	}
	for _, d := range md.Status.Distributions {
		assert.Contains(t, readme, fmt.Sprintf("| Distributions | [%s] |", d))
	}
	if len(md.Status.Warnings) > 0 {
		links := make([]string, len(md.Status.Warnings))
		for i, w := range md.Status.Warnings {
			links[i] = fmt.Sprintf("[%s](#warnings)", w)
		}
		assert.Contains(t, readme, "| Warnings      | "+strings.Join(links, ", ")+" |")
		assert.Contains(t, readme, "\n## Warnings\n")
	}
}
