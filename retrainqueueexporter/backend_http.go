package retrainqueueexporter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/visutility/otelcol-modelmon/internal/httpstatus"
	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// headerIdempotencyKey lets a generic receiver deduplicate retried jobs.
const headerIdempotencyKey = "Idempotency-Key"

// httpBackend POSTs jobs to a training orchestrator.
type httpBackend struct {
	cfg    *HTTPConfig
	set    component.TelemetrySettings
	preset preset
	url    string
	signer *webhooksign.Signer
	client *http.Client
	now    func() time.Time
	// redactor keeps the client's secrets out of quoted answers.
	redactor *httpstatus.Redactor
}

var _ backend = (*httpBackend)(nil)

func newHTTPBackend(cfg *HTTPConfig, set component.TelemetrySettings) (*httpBackend, error) {
	b := &httpBackend{
		cfg:    cfg,
		set:    set,
		preset: newPreset(cfg),
		now:    time.Now,
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		// The parse error quotes the endpoint, which may hold a token.
		return nil, errors.New("http.endpoint is not an absolute URL")
	}
	// JoinPath keeps a query the endpoint may carry (?token=…) at the end.
	b.url = u.JoinPath(b.preset.path...).String()
	b.redactor = httpstatus.NewRedactor(cfg.Endpoint, httpstatus.HeaderValues(cfg.Headers), string(cfg.Generic.SigningSecret))
	if cfg.Generic.SigningSecret != "" {
		s, err := webhooksign.New([]string{string(cfg.Generic.SigningSecret)})
		if err != nil {
			return nil, fmt.Errorf("http.generic.%w", err)
		}
		b.signer = s
	}
	return b, nil
}

// start builds the client here, where auth and middleware extensions exist.
func (b *httpBackend) start(ctx context.Context, host component.Host) error {
	c, err := b.cfg.ToClient(ctx, host.GetExtensions(), b.set)
	if err != nil {
		return err
	}
	b.client = c
	return nil
}

func (b *httpBackend) write(ctx context.Context, j *job.Job, jobJSON []byte) error {
	body, err := b.preset.body(j, jobJSON)
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("encoding %s request: %w", b.cfg.Preset, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, bytes.NewReader(body))
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("building request to %s: %w", httpstatus.Redact(b.cfg.Endpoint), httpstatus.UnwrapURLError(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerIdempotencyKey, j.JobID)
	// The webhook id is the job id: receivers deduplicate retries on it.
	b.signer.Apply(req.Header, j.JobID, b.now(), body)
	resp, err := b.client.Do(req)
	if err != nil {
		return fmt.Errorf("posting job to %s failed: %w", httpstatus.Redact(b.cfg.Endpoint), httpstatus.UnwrapURLError(err))
	}
	defer resp.Body.Close()
	// Every 5xx is retried: a job refused by a failing orchestrator exists
	// nowhere else, and the job stays pending (bounded by max_pending).
	p := httpstatus.Policy{OK: b.preset.alreadyExists, RetryServerErrors: true}
	// Servers often quote the request in an error answer, tokens included.
	return p.Classify(resp, b.redactor.Bytes(httpstatus.ReadBody(resp.Body)), b.cfg.Endpoint)
}

func (b *httpBackend) shutdown(context.Context) error {
	if b.client != nil {
		b.client.CloseIdleConnections()
	}
	return nil
}
