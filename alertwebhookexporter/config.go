package alertwebhookexporter

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Formats of the notifications.
const (
	FormatJSON         = "json"
	FormatAlertmanager = "alertmanager"
	FormatSlack        = "slack"
	FormatPagerDuty    = "pagerduty"
)

// Config is the alert_webhook exporter's configuration.
type Config struct {
	// ClientConfig is the HTTP client: endpoint, TLS, headers, auth, timeout.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
	// QueueConfig is exporterhelper's sending queue; it may name a storage extension.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	// RetryConfig is exporterhelper's retry on failure.
	RetryConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`

	// WebhookURL is the endpoint kept secret, for URLs that carry their own
	// token (a Slack incoming webhook): print-config shows it redacted.
	// Exactly one of endpoint and webhook_url is set for the json,
	// alertmanager and slack formats.
	WebhookURL configopaque.String `mapstructure:"webhook_url"`

	// Format is json (Alertmanager webhook v4), alertmanager, slack or pagerduty.
	Format string `mapstructure:"format"`
	// MinSeverity drops events below it (info, warning, error, critical); empty sends all.
	MinSeverity string `mapstructure:"min_severity"`
	// Receiver names this exporter in json payloads; empty uses the component ID.
	Receiver string `mapstructure:"receiver"`
	// ExternalURL is a link back for the people notified (externalURL, generatorURL, PagerDuty client_url).
	ExternalURL string `mapstructure:"external_url"`

	// SigningSecret lists Standard Webhooks secrets (json and alertmanager
	// formats); every one signs, so that receivers can rotate.
	SigningSecret []configopaque.String `mapstructure:"signing_secret"`
	// RoutingKey is the PagerDuty integration key.
	RoutingKey configopaque.String `mapstructure:"routing_key"`

	// RepeatInterval re-notifies a still-firing alert; zero disables repeats.
	RepeatInterval time.Duration `mapstructure:"repeat_interval"`
	// ResendInterval re-sends still-firing alerts to Alertmanager (alertmanager format).
	ResendInterval time.Duration `mapstructure:"resend_interval"`
	// SendResolved sends resolutions.
	SendResolved bool `mapstructure:"send_resolved"`

	// GroupBy groups alerts by these labels into one notification (json and
	// slack formats); empty notifies every alert at once on its own.
	GroupBy []string `mapstructure:"group_by"`
	// GroupWait is how long a new group waits for more alerts before its first notification.
	GroupWait time.Duration `mapstructure:"group_wait"`
	// GroupInterval is how long a group waits before notifying about alerts added to it.
	GroupInterval time.Duration `mapstructure:"group_interval"`
	// MaxAlerts caps the alerts of one grouped notification (0: no cap); the rest is counted in truncatedAlerts.
	MaxAlerts int `mapstructure:"max_alerts"`

	// Storage names a storage extension (file_storage) that keeps the dedup
	// state across restarts; without it the state is in memory.
	Storage *component.ID `mapstructure:"storage"`
	// MaxTrackedAlerts bounds the dedup state; resolved alerts are evicted first.
	MaxTrackedAlerts int `mapstructure:"max_tracked_alerts"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration; errors never quote a secret.
func (cfg *Config) Validate() error {
	var errs []error
	switch cfg.Format {
	case FormatJSON, FormatAlertmanager, FormatSlack:
		if cfg.ClientConfig.Endpoint == "" && cfg.WebhookURL == "" {
			errs = append(errs, fmt.Errorf("endpoint or webhook_url is required for format %q", cfg.Format))
		}
	case FormatPagerDuty:
		if cfg.RoutingKey == "" {
			errs = append(errs, errors.New("routing_key is required for format \"pagerduty\""))
		}
		if cfg.WebhookURL != "" {
			errs = append(errs, errors.New("webhook_url does not apply to format \"pagerduty\"; set endpoint to override the Events API URL"))
		}
	default:
		errs = append(errs, fmt.Errorf("format %q is not one of json, alertmanager, slack, pagerduty", cfg.Format))
	}
	if cfg.ClientConfig.Endpoint != "" && cfg.WebhookURL != "" {
		errs = append(errs, errors.New("set either endpoint or webhook_url, not both"))
	}
	if ep := cfg.ClientConfig.Endpoint; ep != "" && !isHTTPURL(ep) {
		// The endpoint may carry a token (Slack): say what is wrong, not what it is.
		errs = append(errs, errors.New("endpoint must be an http or https URL with a host"))
	}
	if ep := string(cfg.WebhookURL); ep != "" && !isHTTPURL(ep) {
		errs = append(errs, errors.New("webhook_url must be an http or https URL with a host"))
	}
	if cfg.ExternalURL != "" && !isHTTPURL(cfg.ExternalURL) {
		// It becomes PagerDuty's client_url and the payloads' links: a
		// malformed one would get every PagerDuty event refused.
		errs = append(errs, errors.New("external_url must be an http or https URL with a host"))
	}
	if cfg.MinSeverity != "" {
		if _, err := modelevent.ParseSeverity(cfg.MinSeverity); err != nil {
			errs = append(errs, fmt.Errorf("min_severity: %w", err))
		}
	}
	if len(cfg.SigningSecret) > 0 {
		if cfg.Format == FormatSlack || cfg.Format == FormatPagerDuty {
			errs = append(errs, fmt.Errorf("signing_secret applies to the json and alertmanager formats, not %q", cfg.Format))
		}
		if _, err := webhooksign.New(secrets(cfg.SigningSecret)); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.RepeatInterval < 0 {
		errs = append(errs, errors.New("repeat_interval must not be negative"))
	}
	if cfg.Format == FormatAlertmanager && cfg.ResendInterval <= 0 {
		errs = append(errs, errors.New("resend_interval must be positive for format \"alertmanager\""))
	}
	if len(cfg.GroupBy) > 0 {
		if cfg.Format != FormatJSON && cfg.Format != FormatSlack {
			errs = append(errs, fmt.Errorf("group_by applies to the json and slack formats, not %q", cfg.Format))
		}
		if cfg.GroupWait < 0 {
			errs = append(errs, fmt.Errorf("group_wait must not be negative, got %s", cfg.GroupWait))
		}
		if cfg.GroupInterval <= 0 {
			errs = append(errs, fmt.Errorf("group_interval must be positive, got %s", cfg.GroupInterval))
		}
	}
	if cfg.MaxAlerts < 0 {
		errs = append(errs, errors.New("max_alerts must not be negative"))
	}
	if cfg.MaxTrackedAlerts <= 0 {
		errs = append(errs, errors.New("max_tracked_alerts must be positive"))
	}
	return errors.Join(errs...)
}

// endpoint is where notifications go: webhook_url when set, else endpoint.
func (cfg *Config) endpoint() string {
	if cfg.WebhookURL != "" {
		return string(cfg.WebhookURL)
	}
	return cfg.ClientConfig.Endpoint
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func secrets(s []configopaque.String) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}
