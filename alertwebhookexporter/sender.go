package alertwebhookexporter

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/payload"
	"github.com/visutility/otelcol-modelmon/internal/httpstatus"
)

// send renders n and posts every message of it; kind labels the counters
// (firing, resolved, repeat, resend, group).
func (e *alertExporter) send(ctx context.Context, n *payload.Notification, kind string) error {
	msgs, err := e.format.Render(n)
	if err != nil {
		e.metrics.ExporterAlertWebhookNotificationsFailed.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", kind)))
		return consumererror.NewPermanent(fmt.Errorf("render %s notification: %w", e.cfg.Format, err))
	}
	for _, m := range msgs {
		if err := e.post(ctx, m); err != nil {
			e.metrics.ExporterAlertWebhookNotificationsFailed.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", kind)))
			return err
		}
		e.metrics.ExporterAlertWebhookNotificationsSent.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", kind)))
	}
	return nil
}

// post sends one message and classifies the answer as core's otlphttp
// exporter does. Errors and logs name the endpoint by scheme and host only.
func (e *alertExporter) post(ctx context.Context, m payload.Message) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(m.Body))
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("build request for %s: %w", httpstatus.Redact(e.url), httpstatus.UnwrapURLError(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "modelmon-alert-webhook")
	e.signer.Apply(req.Header, m.ID, e.clock(), m.Body)
	resp, err := e.client.Do(req)
	if err != nil {
		// Network errors are retryable.
		return fmt.Errorf("post to %s: %w", httpstatus.Redact(e.url), e.redactor.Error(httpstatus.UnwrapURLError(err)))
	}
	body := e.redactor.Bytes(httpstatus.ReadBody(resp.Body))
	_ = resp.Body.Close()
	err = httpstatus.Classify(resp, body, e.url)
	if err == nil || !consumererror.IsPermanent(err) {
		return err
	}
	if resp.StatusCode == http.StatusGone {
		e.logger.Error("Notification endpoint is gone (410): fix or remove it",
			zap.String("endpoint", httpstatus.Redact(e.url)))
	} else {
		e.logger.Error("Notification refused",
			zap.String("endpoint", httpstatus.Redact(e.url)), zap.Int("status", resp.StatusCode), zap.ByteString("body", body))
	}
	return err
}

// newRedactor collects the secrets the remote side may echo back: the
// endpoint's path and query (a Slack webhook's path is its token), header
// values, signing secrets and the routing key.
func newRedactor(cfg *Config) *httpstatus.Redactor {
	return httpstatus.NewRedactor(cfg.endpoint(), httpstatus.HeaderValues(cfg.ClientConfig.Headers),
		append(secrets(cfg.SigningSecret), string(cfg.RoutingKey))...)
}
