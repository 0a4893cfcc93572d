package alertwebhookexporter

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCA stores srv's certificate as a PEM CA file, as an operator with a
// private CA would.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(path, pemBytes, 0o600))
	return path
}

// TestTLSCustomCA: a webhook behind a certificate of a private CA is reached
// when ca_file names that CA, and refused (nothing sent) when it does not.
func TestTLSCustomCA(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	// The refused handshake is expected; keep it out of the test output.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := writeCA(t, srv)

	tests := []struct {
		name    string
		caFile  string
		wantErr string
	}{
		{name: "private CA trusted", caFile: ca},
		{name: "system roots only", wantErr: "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := got.Load()
			cfg := testConfig(srv.URL+"/hook", FormatJSON)
			cfg.RetryConfig.Enabled = false
			cfg.ClientConfig.TLS.CAFile = tt.caFile
			exp := startLogs(t, cfg, nil)
			err := exp.ConsumeLogs(context.Background(), logs(firing("ev-tls")))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, before+1, got.Load(), "delivered over TLS")
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, before, got.Load(), "nothing reached an unverified server")
		})
	}
}

// TestResponseBodyReadLimit: an endpoint answering an error with an endless
// body is read only up to a fixed limit; the export ends and the error
// quotes at most 1 KiB of it.
func TestResponseBodyReadLimit(t *testing.T) {
	var written atomic.Int64
	chunk := make([]byte, 32<<10)
	for i := range chunk {
		chunk[i] = 'x'
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		for written.Load() < 1<<30 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL+"/hook", FormatJSON)
	cfg.RetryConfig.Enabled = false
	exp := startLogs(t, cfg, nil)

	start := time.Now()
	err := exp.ConsumeLogs(context.Background(), logs(firing("ev-body")))
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second, "the export does not wait for the body to end")
	assert.LessOrEqual(t, len(err.Error()), 1024+200, "the error quotes at most 1 KiB of body")
	// Reading stops at 1 KiB plus the 1 MiB drained for connection reuse;
	// the rest is what socket buffers took before the close.
	assert.Less(t, written.Load(), int64(16<<20), "the server wrote %d bytes", written.Load())
}
