package e2e

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// postOTLP sends body to the collector's OTLP/HTTP metrics endpoint and
// returns the status code and (at most 4 KiB of) the answer.
func postOTLP(t *testing.T, c *collector, contentType string, body []byte) (int, string) {
	t.Helper()
	url := "http://127.0.0.1:" + strconv.Itoa(c.Ports.HTTP) + "/v1/metrics"
	resp, err := http.Post(url, contentType, bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b)
}

// sendPayload posts one of testdata/otlp's files as curl in the README does.
func sendPayload(t *testing.T, c *collector, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "otlp", name))
	require.NoError(t, err)
	code, answer := postOTLP(t, c, "application/json", b)
	require.Equal(t, http.StatusOK, code, "POST %s: %s", name, answer)
}

// pcommonTime converts t for pdata.
func pcommonTime(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }
