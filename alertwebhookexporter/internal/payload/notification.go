package payload

import (
	"strconv"
	"strings"
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Notification is what one send delivers: one alert, or a group of them.
type Notification struct {
	// ID is the Standard Webhooks message id: modelmon.event.id for a single
	// event, so that it stays stable across retries.
	ID string
	// Receiver names the exporter instance in json payloads.
	Receiver string
	// ExternalURL is the operator's link back (externalURL, generatorURL, PagerDuty client_url).
	ExternalURL string
	// GroupLabels are the labels the alerts share by grouping; nil for an
	// ungrouped notification, whose group is all labels of its alert.
	GroupLabels map[string]string
	Alerts      []Alert
	// Truncated counts alerts left out by max_alerts.
	Truncated int
	// Now is the time of sending.
	Now time.Time
}

// Status is firing when any alert fires, else resolved.
func (n *Notification) Status() modelevent.State {
	for i := range n.Alerts {
		if n.Alerts[i].Status == modelevent.StateFiring {
			return modelevent.StateFiring
		}
	}
	return modelevent.StateResolved
}

// Firing counts firing alerts.
func (n *Notification) Firing() int {
	c := 0
	for i := range n.Alerts {
		if n.Alerts[i].Status == modelevent.StateFiring {
			c++
		}
	}
	return c
}

func (n *Notification) groupLabels() map[string]string {
	if n.GroupLabels != nil {
		return n.GroupLabels
	}
	if len(n.Alerts) == 1 {
		return n.Alerts[0].Labels
	}
	return map[string]string{}
}

// GroupKey identifies the group as Alertmanager writes it: the route
// matchers (none) and the group labels, {}:{k="v",...}.
func (n *Notification) GroupKey() string {
	g := n.groupLabels()
	var b strings.Builder
	b.WriteString("{}:{")
	for i, k := range sortedKeys(g) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(g[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// common returns the pairs every map in ms has with the same value.
func common(ms []map[string]string) map[string]string {
	out := map[string]string{}
	if len(ms) == 0 {
		return out
	}
	for k, v := range ms[0] {
		same := true
		for _, m := range ms[1:] {
			if w, ok := m[k]; !ok || w != v {
				same = false
				break
			}
		}
		if same {
			out[k] = v
		}
	}
	return out
}

// Message is one HTTP request body and its message id.
type Message struct {
	ID   string
	Body []byte
}

// Format renders notifications for one kind of endpoint.
type Format interface {
	// URL is where messages are posted, given the configured endpoint.
	URL(endpoint string) string
	// Signed reports whether Standard Webhooks headers are added.
	Signed() bool
	// Render turns a notification into request bodies (PagerDuty takes one per alert).
	Render(n *Notification) ([]Message, error)
}
