package retrainqueueexporter

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// recorded is one request an orchestrator stub received.
type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

// orchestrator is an httptest server answering status to every request.
type orchestrator struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	status   int
	header   http.Header
}

func newOrchestrator(t *testing.T, status int) *orchestrator {
	o := &orchestrator{status: status, header: http.Header{}}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		o.mu.Lock()
		o.requests = append(o.requests, recorded{r.Method, r.URL.Path, r.Header.Clone(), b})
		status := o.status
		for k, v := range o.header {
			w.Header()[k] = v
		}
		o.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"message":"stub"}`))
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *orchestrator) got() []recorded {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]recorded(nil), o.requests...)
}

func httpConfig(endpoint, preset string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Backend = BackendHTTP
	cfg.CoalesceWindow = 0
	cfg.HTTP.Endpoint = endpoint
	cfg.HTTP.Preset = preset
	cfg.HTTP.Airflow.DagID = "retrain_model"
	cfg.HTTP.Argo = ArgoConfig{Namespace: "ml", WorkflowTemplate: "retrain", Parameters: map[string]string{"queue": "gpu", "epochs": "3"}}
	cfg.HTTP.Kubeflow = KubeflowConfig{PipelineID: "p-1", PipelineVersionID: "pv-2", ExperimentID: "x-3", Parameters: map[string]string{"epochs": "3"}}
	return cfg
}

// expectedJob is the job the exporter builds from violation("fraud", "acc", "e1")
// at t0, and its JSON.
func expectedJob(t *testing.T) (*job.Job, string) {
	j := job.New(eventOf(violation("fraud", "acc", "e1")), t0)
	b, err := job.Marshal(j)
	require.NoError(t, err)
	return j, string(b)
}

func TestHTTPPresetRequests(t *testing.T) {
	j, js := expectedJob(t)
	quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		preset string
		path   string
		body   string
	}{
		{PresetAirflow, "/api/v1/dags/retrain_model/dagRuns",
			`{"dag_run_id":"` + j.JobID + `","conf":` + js + `}`},
		{PresetArgo, "/api/v1/workflows/ml/submit",
			`{"namespace":"ml","resourceKind":"WorkflowTemplate","resourceName":"retrain","submitOptions":{"name":"retrain-` + j.JobID +
				`","parameters":[` + quoted("job="+js) + `,"epochs=3","queue=gpu"],"labels":"modelmon.job-id=` + j.JobID + `"}}`},
		{PresetKubeflow, "/apis/v2beta1/runs",
			`{"display_name":"retrain fraud:v7 ` + j.JobID + `","description":` + quoted(j.Reason) + `,"experiment_id":"x-3",` +
				`"pipeline_version_reference":{"pipeline_id":"p-1","pipeline_version_id":"pv-2"},` +
				`"runtime_config":{"parameters":{"epochs":"3","job":` + quoted(js) + `,"job_id":"` + j.JobID + `"}}}`},
		{PresetGeneric, "/hooks/retrain", js},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			o := newOrchestrator(t, http.StatusOK)
			endpoint := o.URL + "/"
			if tt.preset == PresetGeneric {
				endpoint = o.URL + "/hooks/retrain"
			}
			h := newHarness(t, httpConfig(endpoint, tt.preset), nil)
			require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
			reqs := o.got()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].method)
			assert.Equal(t, tt.path, reqs[0].path)
			assert.Equal(t, "application/json", reqs[0].header.Get("Content-Type"))
			assert.Equal(t, j.JobID, reqs[0].header.Get("Idempotency-Key"))
			assert.JSONEq(t, tt.body, string(reqs[0].body))
			assert.Empty(t, reqs[0].header.Get(webhooksign.HeaderSignature), "unsigned without a secret")
		})
	}
}

func TestHTTPStatuses(t *testing.T) {
	tests := []struct {
		preset     string
		status     int
		retryAfter string
		want       string // ok, retryable or permanent
	}{
		{PresetAirflow, http.StatusConflict, "", "ok"},
		{PresetArgo, http.StatusConflict, "", "ok"},
		{PresetKubeflow, http.StatusConflict, "", "permanent"},
		{PresetGeneric, http.StatusConflict, "", "permanent"},
		{PresetGeneric, http.StatusAccepted, "", "ok"},
		{PresetGeneric, http.StatusBadRequest, "", "permanent"},
		{PresetGeneric, http.StatusTooManyRequests, "7", "retryable"},
		{PresetAirflow, http.StatusServiceUnavailable, "", "retryable"},
		{PresetAirflow, http.StatusInternalServerError, "", "retryable"},
		{PresetKubeflow, http.StatusNotImplemented, "", "retryable"},
		{PresetArgo, http.StatusGone, "", "permanent"},
	}
	for _, tt := range tests {
		t.Run(tt.preset+"/"+strconv.Itoa(tt.status), func(t *testing.T) {
			o := newOrchestrator(t, tt.status)
			if tt.retryAfter != "" {
				o.header.Set("Retry-After", tt.retryAfter)
			}
			h := newHarness(t, httpConfig(o.URL, tt.preset), nil)
			err := h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1")))
			switch tt.want {
			case "ok":
				require.NoError(t, err)
				assert.Equal(t, int64(1), h.counter(t, "jobs_written", ""))
				assert.Zero(t, h.pending())
			case "retryable":
				require.Error(t, err)
				assert.False(t, consumererror.IsPermanent(err))
				assert.ErrorContains(t, err, strconv.Itoa(tt.status))
				assert.EqualValues(t, 1, h.pending(), "the job stays pending")
			case "permanent":
				// The batch itself was fine: the job is dropped, counted and logged whole.
				require.NoError(t, err)
				assert.Equal(t, int64(1), h.counter(t, "jobs_failed", reasonPermanent))
				assert.Zero(t, h.pending())
				logged := h.logs.FilterMessageSnippet("refused retraining job permanently").All()
				require.Len(t, logged, 1)
				assert.Contains(t, logged[0].ContextMap()["job"], `"job_id"`)
			}
		})
	}
}

func TestHTTPGenericSigned(t *testing.T) {
	o := newOrchestrator(t, http.StatusOK)
	cfg := httpConfig(o.URL, PresetGeneric)
	cfg.HTTP.Generic.SigningSecret = configopaque.String("s3cret-signing-key")
	h := newHarness(t, cfg, nil)
	now := time.Unix(1_790_000_000, 0)
	h.backend.(*httpBackend).now = func() time.Time { return now }
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
	reqs := o.got()
	require.Len(t, reqs, 1)
	r := reqs[0]
	id := r.header.Get("Idempotency-Key")
	assert.Equal(t, id, r.header.Get(webhooksign.HeaderID))
	assert.Equal(t, "1790000000", r.header.Get(webhooksign.HeaderTimestamp))
	want := "v1," + webhooksign.Sign([]byte("s3cret-signing-key"), id, "1790000000", r.body)
	assert.Equal(t, want, r.header.Get(webhooksign.HeaderSignature))
}

func TestHTTPEndpointPathAndQueryKept(t *testing.T) {
	tests := []struct {
		preset, suffix, wantPath, wantQuery string
	}{
		{PresetAirflow, "/airflow/?tenant=a", "/airflow/api/v1/dags/retrain_model/dagRuns", "tenant=a"},
		{PresetGeneric, "/hooks/retrain?token=x", "/hooks/retrain", "token=x"},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			got := make(chan [2]string, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- [2]string{r.URL.Path, r.URL.RawQuery}
			}))
			t.Cleanup(srv.Close)
			h := newHarness(t, httpConfig(srv.URL+tt.suffix, tt.preset), nil)
			require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
			assert.Equal(t, [2]string{tt.wantPath, tt.wantQuery}, <-got)
		})
	}
	cfg := httpConfig("not a url", PresetGeneric)
	_, err := newHTTPBackend(&cfg.HTTP, exportertestSettings().TelemetrySettings)
	assert.ErrorContains(t, err, "not an absolute URL")
}
