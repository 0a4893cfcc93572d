package alertwebhookexporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/dedup"
	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/payload"
	"github.com/visutility/otelcol-modelmon/internal/httpstatus"
	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// storageClientName names the exporter's client of the storage extension.
const storageClientName = "dedup"

// alertExporter holds the state of one alert_webhook exporter.
type alertExporter struct {
	cfg       *Config
	id        component.ID
	logger    *zap.Logger
	telemetry component.TelemetrySettings
	metrics   *metadata.TelemetryBuilder
	format    payload.Format
	signer    *webhooksign.Signer
	minRank   int
	// clock is time.Now except in tests.
	clock func() time.Time

	client   *http.Client
	url      string
	redactor *httpstatus.Redactor
	store    storagekv.Store
	table    *dedup.Table
	groups   *grouper

	// mu orders notifications: a batch and a background tick never interleave,
	// so a resolution cannot overtake its firing.
	mu sync.Mutex

	stop chan struct{}
	wg   sync.WaitGroup
}

func newExporter(cfg *Config, set exporter.Settings) (*alertExporter, error) {
	signer, err := webhooksign.New(secrets(cfg.SigningSecret))
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &alertExporter{
		cfg:       cfg,
		id:        set.ID,
		logger:    set.Logger,
		telemetry: set.TelemetrySettings,
		metrics:   tb,
		signer:    signer,
		clock:     time.Now,
		redactor:  newRedactor(cfg),
	}
	if cfg.MinSeverity != "" {
		e.minRank = modelevent.Severity(cfg.MinSeverity).Rank()
	}
	switch cfg.Format {
	case FormatAlertmanager:
		e.format = payload.Alertmanager{ResendInterval: cfg.ResendInterval}
	case FormatSlack:
		e.format = payload.Slack{}
	case FormatPagerDuty:
		e.format = payload.PagerDuty{RoutingKey: string(cfg.RoutingKey)}
	default:
		e.format = payload.JSON{}
	}
	if !e.format.Signed() {
		e.signer = nil
	}
	e.url = e.format.URL(cfg.endpoint())
	return e, nil
}

func (e *alertExporter) receiver() string {
	if e.cfg.Receiver != "" {
		return e.cfg.Receiver
	}
	return e.id.String()
}

func (e *alertExporter) start(ctx context.Context, host component.Host) error {
	client, err := e.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), e.telemetry)
	if err != nil {
		return fmt.Errorf("build HTTP client: %w", err)
	}
	e.client = client
	httpstatus.WarnCleartext(e.logger, e.url, "Notifications")
	if e.cfg.Storage != nil {
		e.store, err = storagekv.Open(ctx, host, *e.cfg.Storage, component.KindExporter, e.id, storageClientName)
		if err != nil {
			return err
		}
	} else {
		e.store = storagekv.NewMemory()
	}
	repeat := e.cfg.RepeatInterval
	if e.cfg.Format == FormatAlertmanager || len(e.cfg.GroupBy) > 0 {
		// Alertmanager repeats by itself (the exporter re-sends instead), and
		// groups repeat as a whole.
		repeat = 0
	}
	e.table = dedup.New(e.store, dedup.Settings{
		Limit:          e.cfg.MaxTrackedAlerts,
		RepeatInterval: repeat,
		SendResolved:   e.cfg.SendResolved,
		KeepResolved:   max(e.cfg.RepeatInterval, e.cfg.GroupInterval, time.Hour),
		Durable:        e.cfg.Storage != nil,
	})
	loaded, bad, err := e.table.Load(ctx)
	if err != nil {
		e.logger.Warn("Could not read all of the saved dedup state", zap.Error(err))
	}
	if loaded > 0 || bad > 0 {
		e.logger.Info("Restored dedup state", zap.Int("alerts", loaded), zap.Int("unreadable", bad))
	}
	err = e.metrics.RegisterExporterAlertWebhookAlertsTrackedCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(int64(e.table.Len()))
		return nil
	})
	if err != nil {
		return err
	}
	if len(e.cfg.GroupBy) > 0 {
		e.groups = newGrouper(e.cfg)
		e.restoreGroups(e.clock())
	}
	e.stop = make(chan struct{})
	e.wg.Add(1)
	go e.loop(e.stop, e.tickEvery())
	return nil
}

// tickEvery is how often the background loop re-sends, repeats, flushes
// groups and forgets old resolutions.
func (e *alertExporter) tickEvery() time.Duration {
	d := time.Minute
	if e.cfg.Format == FormatAlertmanager {
		d = min(d, e.cfg.ResendInterval)
	}
	if e.cfg.RepeatInterval > 0 {
		d = min(d, e.cfg.RepeatInterval)
	}
	if e.groups != nil {
		d = min(d, e.groups.resolution())
	}
	return max(d, 10*time.Millisecond)
}

func (e *alertExporter) shutdown(ctx context.Context) error {
	if e.stop != nil {
		close(e.stop)
		e.wg.Wait()
		e.stop = nil
	}
	var errs []error
	e.metrics.Shutdown()
	if e.store != nil {
		errs = append(errs, e.store.Close(ctx))
	}
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	return errors.Join(errs...)
}

func (e *alertExporter) loop(stop <-chan struct{}, every time.Duration) {
	defer e.wg.Done()
	// Sends in flight end when the exporter shuts down.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			e.tick(ctx)
		}
	}
}

// pushLogs is exporterhelper's push function: it decodes the events of a
// batch and notifies. A retryable error makes the helper retry the batch;
// the alerts already notified are then replays and are not sent again.
func (e *alertExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	res := modelevent.DecodeLogs(ld)
	if res.Ignored > 0 {
		e.metrics.ExporterAlertWebhookEventsIgnored.Add(ctx, int64(res.Ignored), metric.WithAttributes(attribute.String("reason", "not_modelmon")))
	}
	if res.Malformed > 0 {
		e.metrics.ExporterAlertWebhookEventsIgnored.Add(ctx, int64(res.Malformed), metric.WithAttributes(attribute.String("reason", "malformed")))
		e.logger.Warn("Ignoring malformed modelmon events", zap.Int("count", res.Malformed), zap.Error(errors.Join(res.Errors...)))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var retryable, permanent []error
	for i := range res.Events {
		ev := &res.Events[i]
		e.metrics.ExporterAlertWebhookEventsReceived.Add(ctx, 1)
		if !ev.HasAction(modelevent.ActionAlert) || ev.Severity.Rank() < e.minRank {
			e.metrics.ExporterAlertWebhookEventsFiltered.Add(ctx, 1)
			continue
		}
		if err := e.handle(ctx, ev); err != nil {
			if consumererror.IsPermanent(err) {
				permanent = append(permanent, err)
			} else {
				retryable = append(retryable, err)
			}
		}
	}
	if e.groups != nil {
		// With group_wait 0 the groups go out with the batch.
		e.flushGroups(ctx, e.clock())
	}
	if len(retryable) > 0 {
		// Permanent failures are logged already; retrying the batch retries only what may still succeed.
		return errors.Join(retryable...)
	}
	if len(permanent) > 0 {
		return consumererror.NewPermanent(errors.Join(permanent...))
	}
	return nil
}

// handle decides about one event and notifies if needed.
func (e *alertExporter) handle(ctx context.Context, ev *modelevent.Event) error {
	now := e.clock()
	d := e.table.Decide(ev, now)
	switch d {
	case dedup.Duplicate, dedup.Stale:
		e.metrics.ExporterAlertWebhookNotificationsDeduplicated.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", d.String())))
		return nil
	case dedup.Replay:
		return nil
	case dedup.Suppress:
		if e.groups != nil {
			// A resolution that is not sent still ends the group's repeats.
			a := payload.NewAlert(*ev)
			e.groups.forget(&a)
		}
		e.record(ctx, ev, d, now)
		return nil
	}
	if d == dedup.NotifyWithFiring {
		if e.groups == nil {
			// Recorded before the resolution goes out, so a retry of the batch
			// sends only what is still missing.
			f := dedup.FiringOf(ev)
			if err := e.send(ctx, e.notification(&f, now), string(f.State)); err != nil {
				return err
			}
			e.record(ctx, &f, dedup.Notify, now)
		}
		// A group holds the latest state of each alert: the resolution alone.
		d = dedup.Notify
	}
	if e.groups != nil {
		if !e.groups.add(payload.NewAlert(*ev), now) {
			e.metrics.ExporterAlertWebhookNotificationsFailed.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", "group")))
			e.logger.Warn("Alert groups are full (max_tracked_alerts); alert dropped", zap.String("alert_id", ev.AlertID))
			return nil
		}
		if err := e.table.Accept(ctx, ev, d, now); err != nil {
			e.logger.Warn("Could not record the alert in the dedup state",
				zap.String("alert_id", ev.AlertID), zap.Error(err))
		}
		return nil
	}
	n := e.notification(ev, now)
	kind := string(ev.State)
	if d == dedup.Repeat {
		kind = "repeat"
	}
	if err := e.send(ctx, n, kind); err != nil {
		return err
	}
	e.record(ctx, ev, d, now)
	e.confirmResolved(ctx, ev, now)
	return nil
}

// notification wraps one event for an immediate send.
func (e *alertExporter) notification(ev *modelevent.Event, now time.Time) *payload.Notification {
	return &payload.Notification{
		ID:          ev.EventID,
		Receiver:    e.receiver(),
		ExternalURL: e.cfg.ExternalURL,
		Alerts:      []payload.Alert{payload.NewAlert(*ev)},
		Now:         now,
	}
}

func (e *alertExporter) record(ctx context.Context, ev *modelevent.Event, d dedup.Decision, now time.Time) {
	if err := e.table.Record(ctx, ev, d, now); err != nil {
		e.logger.Warn("Could not record the notification in the dedup state",
			zap.String("alert_id", ev.AlertID), zap.Error(err))
	}
}
