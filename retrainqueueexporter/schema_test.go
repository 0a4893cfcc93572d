package retrainqueueexporter

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// TestSchemaMatchesJob keeps job.schema.json and the Go type in step: the
// keys a job encodes to are exactly the schema's properties, at each level.
func TestSchemaMatchesJob(t *testing.T) {
	b, err := os.ReadFile("job.schema.json")
	require.NoError(t, err)
	var schema map[string]any
	require.NoError(t, json.Unmarshal(b, &schema))

	v := violation("fraud", "acc", "e1")
	j := job.New(eventOf(v), t0)
	enc, err := json.Marshal(j)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(enc, &doc))

	props := schema["properties"].(map[string]any)
	tests := []struct {
		name   string
		schema map[string]any
		doc    map[string]any
	}{
		{"job", schema, doc},
		{"model", props["model"].(map[string]any), doc["model"].(map[string]any)},
		{"trigger", props["triggered_by"].(map[string]any)["items"].(map[string]any), doc["triggered_by"].([]any)[0].(map[string]any)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, keys(tt.schema["properties"].(map[string]any)), keys(tt.doc))
			for _, r := range tt.schema["required"].([]any) {
				assert.Contains(t, tt.doc, r)
			}
		})
	}
	assert.Regexp(t, props["job_id"].(map[string]any)["pattern"], j.JobID)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
