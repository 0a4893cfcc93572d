package retrainqueueexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	storage := component.MustNewID("file_storage")
	tests := []struct {
		name  string
		check func(t *testing.T, c *Config)
	}{
		{"", func(t *testing.T, c *Config) {
			assert.Equal(t, createDefaultConfig(), c)
		}},
		{"file", func(t *testing.T, c *Config) {
			assert.Equal(t, []string{"degradation", "drift"}, c.Kinds)
			assert.Equal(t, "warning", c.MinSeverity)
			assert.Equal(t, time.Minute, c.CoalesceWindow)
			assert.Equal(t, 2*time.Hour, c.Cooldown)
			assert.Equal(t, 5, c.MaxJobsPerHour)
			assert.Equal(t, &storage, c.Storage)
			assert.Equal(t, FileConfig{Directory: "/var/lib/modelmon/retrain", MaxReady: 50}, c.File)
		}},
		{"airflow", func(t *testing.T, c *Config) {
			assert.Equal(t, BackendHTTP, c.Backend)
			assert.Equal(t, "https://airflow.example:8080", c.HTTP.Endpoint)
			assert.Equal(t, "retrain_model", c.HTTP.Airflow.DagID)
			v, ok := c.HTTP.Headers.Get("Authorization")
			assert.True(t, ok)
			assert.Equal(t, "Basic dXNlcjpwYXNz", string(v))
			assert.Equal(t, 30*time.Second, c.HTTP.Timeout, "defaults kept")
		}},
		{"redis", func(t *testing.T, c *Config) {
			assert.Equal(t, "redis.example:6380", c.Redis.Address)
			assert.Equal(t, "hunter2", string(c.Redis.Password))
			assert.Equal(t, 2, c.Redis.DB)
			assert.Equal(t, int64(500), c.Redis.MaxLen)
			assert.Equal(t, 48*time.Hour, c.Redis.IdempotencyTTL)
			assert.False(t, c.Redis.TLS.Insecure)
			assert.False(t, c.QueueConfig.HasValue())
			assert.Equal(t, 10*time.Minute, c.RetryConfig.MaxElapsedTime)
		}},
	}
	for _, tt := range tests {
		t.Run("ok/"+tt.name, func(t *testing.T) {
			c := loadConfig(t, tt.name)
			require.NoError(t, confmap.Validate(c))
			tt.check(t, c)
		})
	}

	invalid := map[string][]string{
		"bad_backend":         {`unknown backend "kafka"`},
		"argo_missing":        {"http.argo.workflow_template must be set"},
		"bad_limits":          {`unknown kind "accuracy"`, "min_severity", "coalesce_window", "max_jobs_per_hour", "file.max_ready"},
		"kubeflow_reserved":   {"job is set by the exporter"},
		"secret_wrong_preset": {"signing_secret applies to preset generic only"},
		"relative_endpoint":   {"http.endpoint is not an absolute URL"},
	}
	for name, wants := range invalid {
		t.Run("invalid/"+name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, name))
			require.Error(t, err)
			for _, w := range wants {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func TestConfigStruct(t *testing.T) {
	assert.NoError(t, componenttest.CheckConfigStruct(createDefaultConfig()))
	assert.NoError(t, confmap.Validate(createDefaultConfig()))
}

func TestPresetPathSegments(t *testing.T) {
	tests := []struct {
		name   string
		preset string
		mutate func(*HTTPConfig)
		want   string // "" means valid
	}{
		{name: "airflow dag id", preset: PresetAirflow, mutate: func(h *HTTPConfig) { h.Airflow.DagID = "retrain.fraud-model_v2" }},
		{name: "airflow dag id with slash", preset: PresetAirflow, mutate: func(h *HTTPConfig) { h.Airflow.DagID = "team/retrain" },
			want: `http.airflow.dag_id: "team/retrain" is not valid`},
		{name: "airflow dag id with query", preset: PresetAirflow, mutate: func(h *HTTPConfig) { h.Airflow.DagID = "retrain?x=1" },
			want: "http.airflow.dag_id"},
		{name: "argo namespace", preset: PresetArgo, mutate: func(h *HTTPConfig) { h.Argo.Namespace = "ml-training" }},
		{name: "argo namespace with slash", preset: PresetArgo, mutate: func(h *HTTPConfig) { h.Argo.Namespace = "ml/../admin" },
			want: `http.argo.namespace: "ml/../admin" is not valid`},
		{name: "argo namespace upper case", preset: PresetArgo, mutate: func(h *HTTPConfig) { h.Argo.Namespace = "ML" },
			want: "http.argo.namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := httpConfig("https://orchestrator.example", tt.preset)
			tt.mutate(&cfg.HTTP)
			err := cfg.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
