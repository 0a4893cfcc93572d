package retrainqueueexporter

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// preset is how one orchestrator API is asked to run a job.
type preset struct {
	// path holds the segments appended to the endpoint's path.
	path []string
	// body is the request body for job j whose JSON is jobJSON.
	body func(j *job.Job, jobJSON []byte) ([]byte, error)
	// alreadyExists lists statuses meaning "this job id was submitted
	// before": success, since job ids are deterministic.
	alreadyExists []int
}

func newPreset(cfg *HTTPConfig) preset {
	switch cfg.Preset {
	case PresetAirflow:
		return preset{
			path:          []string{"api", "v1", "dags", cfg.Airflow.DagID, "dagRuns"},
			body:          airflowBody,
			alreadyExists: []int{http.StatusConflict},
		}
	case PresetArgo:
		a := cfg.Argo
		return preset{
			path:          []string{"api", "v1", "workflows", a.Namespace, "submit"},
			body:          func(j *job.Job, b []byte) ([]byte, error) { return argoBody(&a, j, b) },
			alreadyExists: []int{http.StatusConflict},
		}
	case PresetKubeflow:
		k := cfg.Kubeflow
		return preset{
			path: []string{"apis", "v2beta1", "runs"},
			body: func(j *job.Job, b []byte) ([]byte, error) { return kubeflowBody(&k, j, b) },
		}
	default:
		return preset{body: func(_ *job.Job, b []byte) ([]byte, error) { return b, nil }}
	}
}

// airflowBody triggers a DAG run whose dag_run_id is the job id, so Airflow
// itself refuses a second run of the same job (409).
func airflowBody(j *job.Job, jobJSON []byte) ([]byte, error) {
	return json.Marshal(struct {
		DagRunID string          `json:"dag_run_id"`
		Conf     json.RawMessage `json:"conf"`
	}{j.JobID, jobJSON})
}

// argoBody submits the WorkflowTemplate with the workflow named after the
// job, so a second submit of the same job conflicts (409).
func argoBody(cfg *ArgoConfig, j *job.Job, jobJSON []byte) ([]byte, error) {
	params := []string{"job=" + string(jobJSON)}
	params = append(params, sortedParams(cfg.Parameters)...)
	type submitOptions struct {
		Name       string   `json:"name"`
		Parameters []string `json:"parameters"`
		Labels     string   `json:"labels"`
	}
	return json.Marshal(struct {
		Namespace     string        `json:"namespace"`
		ResourceKind  string        `json:"resourceKind"`
		ResourceName  string        `json:"resourceName"`
		SubmitOptions submitOptions `json:"submitOptions"`
	}{
		Namespace:    cfg.Namespace,
		ResourceKind: "WorkflowTemplate",
		ResourceName: cfg.WorkflowTemplate,
		SubmitOptions: submitOptions{
			Name:       argoWorkflowName(j.JobID),
			Parameters: params,
			Labels:     "modelmon.job-id=" + j.JobID,
		},
	})
}

// argoWorkflowName is a valid Kubernetes name (lowercase, at most 63
// characters) derived from the job id.
func argoWorkflowName(jobID string) string {
	return "retrain-" + strings.ToLower(jobID)
}

// kubeflowBody creates a run of the pipeline version with the job as the
// "job" parameter (a JSON string) and its id as "job_id". The runs API has
// no idempotency key: the display name carries the job id so that a
// duplicate after a timeout is recognisable.
func kubeflowBody(cfg *KubeflowConfig, j *job.Job, jobJSON []byte) ([]byte, error) {
	params := make(map[string]string, len(cfg.Parameters)+2)
	for k, v := range cfg.Parameters {
		params[k] = v
	}
	params["job"] = string(jobJSON)
	params["job_id"] = j.JobID
	type versionRef struct {
		PipelineID        string `json:"pipeline_id"`
		PipelineVersionID string `json:"pipeline_version_id"`
	}
	type runtimeConfig struct {
		Parameters map[string]string `json:"parameters"`
	}
	return json.Marshal(struct {
		DisplayName              string        `json:"display_name"`
		Description              string        `json:"description"`
		ExperimentID             string        `json:"experiment_id,omitempty"`
		PipelineVersionReference versionRef    `json:"pipeline_version_reference"`
		RuntimeConfig            runtimeConfig `json:"runtime_config"`
	}{
		DisplayName:              fmt.Sprintf("retrain %s %s", j.Model.ID, j.JobID),
		Description:              j.Reason,
		ExperimentID:             cfg.ExperimentID,
		PipelineVersionReference: versionRef{cfg.PipelineID, cfg.PipelineVersionID},
		RuntimeConfig:            runtimeConfig{params},
	})
}

func sortedParams(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
