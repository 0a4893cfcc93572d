package alertwebhookexporter

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden payloads in testdata/golden")

// TestGoldenPayloads sends the same firing and resolved events in every
// format and compares what the endpoint received with testdata/golden.
func TestGoldenPayloads(t *testing.T) {
	tests := []struct {
		format   string
		path     string
		okStatus int
	}{
		{format: FormatJSON, path: "/hook", okStatus: 200},
		{format: FormatAlertmanager, path: "/api/v2/alerts", okStatus: 200},
		{format: FormatSlack, path: "/services/T000/B000/XXXX", okStatus: 200},
		{format: FormatPagerDuty, path: "/v2/enqueue", okStatus: 202},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			srv := newRecorder(t, tt.okStatus)
			endpoint := srv.URL + tt.path
			if tt.format == FormatAlertmanager {
				endpoint = srv.URL
			}
			cfg := testConfig(endpoint, tt.format)
			cfg.ExternalURL = "https://modelmon.example"
			cfg.Receiver = "ml-oncall"
			clock := &fakeClock{now: t0.Add(time.Minute)}
			e := startExporter(t, cfg, clock, nil)

			require.NoError(t, e.pushLogs(context.Background(), logs(firing("ev-1"))))
			clock.Add(10 * time.Minute)
			require.NoError(t, e.pushLogs(context.Background(), logs(resolved("ev-2"))))

			reqs := srv.requests()
			require.Len(t, reqs, 2)
			for _, r := range reqs {
				assert.Equal(t, tt.path, r.Path)
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			require.NoError(t, enc.Encode(srv.bodies(t)))
			got := buf.Bytes()
			file := filepath.Join("testdata", "golden", tt.format+".json")
			if *update {
				require.NoError(t, os.WriteFile(file, got, 0o600))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
		})
	}
}
