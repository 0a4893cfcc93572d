package retrainqueueexporter

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Backends.
const (
	BackendFile  = "file"
	BackendHTTP  = "http"
	BackendRedis = "redis"
)

// HTTP presets.
const (
	PresetAirflow  = "airflow"
	PresetArgo     = "argo"
	PresetKubeflow = "kubeflow"
	PresetGeneric  = "generic"
)

// Config is the retrain_queue exporter's configuration.
type Config struct {
	// Backend is where jobs go: file (default), http or redis.
	Backend string `mapstructure:"backend"`
	// Kinds, when set, keeps only violations of these kinds.
	Kinds []string `mapstructure:"kinds"`
	// MinSeverity, when set, keeps only violations at least this severe.
	MinSeverity string `mapstructure:"min_severity"`
	// CoalesceWindow merges a model's violations arriving within it after
	// the first into one job; 0 writes every job at once.
	CoalesceWindow time.Duration `mapstructure:"coalesce_window"`
	// Cooldown is how long after a model's job no second job is created.
	Cooldown time.Duration `mapstructure:"cooldown"`
	// MaxJobsPerHour caps jobs across all models; beyond it jobs are held.
	MaxJobsPerHour int `mapstructure:"max_jobs_per_hour"`
	// MaxPending bounds jobs recorded but not yet written; beyond it exports
	// fail with a retryable error.
	MaxPending int `mapstructure:"max_pending"`
	// Storage names a storage extension that keeps open jobs, cooldowns and
	// the hourly cap across restarts.
	Storage *component.ID `mapstructure:"storage"`

	File  FileConfig  `mapstructure:"file"`
	HTTP  HTTPConfig  `mapstructure:"http"`
	Redis RedisConfig `mapstructure:"redis"`

	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FileConfig configures the embedded directory queue.
type FileConfig struct {
	// Directory holds tmp/, ready/, claimed/ and done/.
	Directory string `mapstructure:"directory"`
	// MaxReady bounds the jobs waiting in ready/.
	MaxReady int `mapstructure:"max_ready"`
}

// HTTPConfig configures job submission to a training orchestrator.
type HTTPConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	// Preset is the orchestrator API: airflow, argo, kubeflow or generic.
	Preset   string         `mapstructure:"preset"`
	Airflow  AirflowConfig  `mapstructure:"airflow"`
	Argo     ArgoConfig     `mapstructure:"argo"`
	Kubeflow KubeflowConfig `mapstructure:"kubeflow"`
	Generic  GenericConfig  `mapstructure:"generic"`
}

// AirflowConfig names the DAG whose run is triggered.
type AirflowConfig struct {
	DagID string `mapstructure:"dag_id"`
}

// ArgoConfig names the WorkflowTemplate submitted.
type ArgoConfig struct {
	Namespace        string `mapstructure:"namespace"`
	WorkflowTemplate string `mapstructure:"workflow_template"`
	// Parameters are passed besides job=<json>.
	Parameters map[string]string `mapstructure:"parameters"`
}

// KubeflowConfig names the pipeline version run.
type KubeflowConfig struct {
	PipelineID        string `mapstructure:"pipeline_id"`
	PipelineVersionID string `mapstructure:"pipeline_version_id"`
	ExperimentID      string `mapstructure:"experiment_id"`
	// Parameters are passed besides job and job_id.
	Parameters map[string]string `mapstructure:"parameters"`
}

// GenericConfig configures the plain JSON POST.
type GenericConfig struct {
	// SigningSecret, when set, signs requests as Standard Webhooks do.
	SigningSecret configopaque.String `mapstructure:"signing_secret"`
}

// RedisConfig configures the Redis Streams backend.
type RedisConfig struct {
	Address  string              `mapstructure:"address"`
	Username string              `mapstructure:"username"`
	Password configopaque.String `mapstructure:"password"`
	DB       int                 `mapstructure:"db"`
	// TLS is used unless tls.insecure is true (the default).
	TLS configtls.ClientConfig `mapstructure:"tls"`
	// Stream is the stream key jobs are added to.
	Stream string `mapstructure:"stream"`
	// MaxLen trims the stream approximately (MAXLEN ~).
	MaxLen int64 `mapstructure:"max_len"`
	// IdempotencyTTL keeps modelmon:job:<id> records this long so a
	// redelivered event adds no second entry; 0 disables them.
	IdempotencyTTL time.Duration `mapstructure:"idempotency_ttl"`
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration; only the selected backend's block is
// checked.
func (c *Config) Validate() error {
	var errs []error
	for _, k := range c.Kinds {
		switch modelevent.Kind(k) {
		case modelevent.KindDegradation, modelevent.KindDrift, modelevent.KindLatency, modelevent.KindNoData:
		default:
			errs = append(errs, fmt.Errorf("kinds: unknown kind %q (want degradation, drift, latency or no_data)", k))
		}
	}
	if c.MinSeverity != "" {
		if _, err := modelevent.ParseSeverity(c.MinSeverity); err != nil {
			errs = append(errs, fmt.Errorf("min_severity: %w", err))
		}
	}
	if c.CoalesceWindow < 0 {
		errs = append(errs, errors.New("coalesce_window must not be negative"))
	}
	if c.Cooldown < 0 {
		errs = append(errs, errors.New("cooldown must not be negative"))
	}
	if c.MaxJobsPerHour < 1 {
		errs = append(errs, errors.New("max_jobs_per_hour must be at least 1"))
	}
	if c.MaxPending < 1 {
		errs = append(errs, errors.New("max_pending must be at least 1"))
	}
	switch c.Backend {
	case BackendFile:
		errs = append(errs, c.File.validate())
	case BackendHTTP:
		errs = append(errs, c.HTTP.validate())
	case BackendRedis:
		errs = append(errs, c.Redis.validate())
	default:
		errs = append(errs, fmt.Errorf("backend: unknown backend %q (want file, http or redis)", c.Backend))
	}
	return errors.Join(errs...)
}

func (f *FileConfig) validate() error {
	var errs []error
	if f.Directory == "" {
		errs = append(errs, errors.New("file.directory must be set"))
	}
	if f.MaxReady < 1 {
		errs = append(errs, errors.New("file.max_ready must be at least 1"))
	}
	return errors.Join(errs...)
}

func (h *HTTPConfig) validate() error {
	var errs []error
	if u, err := url.Parse(h.Endpoint); h.Endpoint == "" {
		errs = append(errs, errors.New("http.endpoint must be set"))
	} else if err != nil || u.Scheme == "" || u.Host == "" {
		// The endpoint itself stays out of the error: it may hold a token.
		errs = append(errs, errors.New("http.endpoint is not an absolute URL"))
	}
	need := func(v, name string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("http.%s must be set for preset %s", name, h.Preset))
		}
	}
	// Names that become path segments must stay one segment: a '/' would
	// post every job to another path, which answers 404 and drops the job.
	segment := func(v, name string, re *regexp.Regexp, rule string) {
		if v != "" && !re.MatchString(v) {
			errs = append(errs, fmt.Errorf("http.%s: %q is not valid (%s)", name, v, rule))
		}
	}
	switch h.Preset {
	case PresetAirflow:
		need(h.Airflow.DagID, "airflow.dag_id")
		segment(h.Airflow.DagID, "airflow.dag_id", airflowDagID, "letters, digits, '_', '.' and '-', as Airflow allows")
	case PresetArgo:
		need(h.Argo.Namespace, "argo.namespace")
		segment(h.Argo.Namespace, "argo.namespace", kubernetesLabel, "a Kubernetes namespace: lowercase letters, digits and '-', at most 63")
		need(h.Argo.WorkflowTemplate, "argo.workflow_template")
		if _, ok := h.Argo.Parameters["job"]; ok {
			errs = append(errs, errors.New("http.argo.parameters: job is set by the exporter"))
		}
	case PresetKubeflow:
		need(h.Kubeflow.PipelineID, "kubeflow.pipeline_id")
		need(h.Kubeflow.PipelineVersionID, "kubeflow.pipeline_version_id")
		for _, k := range []string{"job", "job_id"} {
			if _, ok := h.Kubeflow.Parameters[k]; ok {
				errs = append(errs, fmt.Errorf("http.kubeflow.parameters: %s is set by the exporter", k))
			}
		}
	case PresetGeneric:
	default:
		errs = append(errs, fmt.Errorf("http.preset: unknown preset %q (want airflow, argo, kubeflow or generic)", h.Preset))
	}
	if h.Generic.SigningSecret != "" {
		if h.Preset != PresetGeneric {
			errs = append(errs, errors.New("http.generic.signing_secret applies to preset generic only"))
		}
		// The signer's errors never quote the secret.
		if _, err := webhooksign.New([]string{string(h.Generic.SigningSecret)}); err != nil {
			errs = append(errs, fmt.Errorf("http.generic.%w", err))
		}
	}
	return errors.Join(errs...)
}

// airflowDagID is Airflow's rule for dag ids (KEY_REGEX, at most 250 characters).
var airflowDagID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,250}$`)

// kubernetesLabel is a DNS-1123 label, the shape of a namespace name.
var kubernetesLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func (r *RedisConfig) validate() error {
	var errs []error
	if r.Address == "" {
		errs = append(errs, errors.New("redis.address must be set"))
	}
	if r.Stream == "" {
		errs = append(errs, errors.New("redis.stream must be set"))
	}
	if r.MaxLen < 1 {
		errs = append(errs, errors.New("redis.max_len must be at least 1"))
	}
	if r.IdempotencyTTL < 0 {
		errs = append(errs, errors.New("redis.idempotency_ttl must not be negative"))
	}
	if r.IdempotencyTTL > 0 && r.IdempotencyTTL < time.Second {
		errs = append(errs, errors.New("redis.idempotency_ttl must be 0 or at least 1s"))
	}
	if r.DB < 0 {
		errs = append(errs, errors.New("redis.db must not be negative"))
	}
	return errors.Join(errs...)
}
