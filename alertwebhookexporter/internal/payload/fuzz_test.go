package payload

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// FuzzSlackText: whatever a model name or annotation holds, the Slack
// message is valid JSON, every section stays within Slack's limit, and no
// '<' or '>' of the event text survives unescaped (only our runbook link
// may use them).
func FuzzSlackText(f *testing.F) {
	for _, s := range []string{"<!channel>", `"}],"x":1`, "&amp;", strings.Repeat("<&>", 1200), "\xff\xfe", "ü<ß>"} {
		f.Add(s, 3000)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = 1 + abs(limit)%4000
		got := slackEscapeCut(s, limit)
		if n := utf8.RuneCountInString(got); n > limit {
			t.Fatalf("cut to %d runes, want at most %d", n, limit)
		}
		if strings.ContainsAny(got, "<>") {
			t.Fatalf("unescaped control characters in %q", got)
		}
		ev := modelevent.Event{Violation: modelevent.Violation{
			State: modelevent.StateFiring, AlertID: "a", EventID: "e", Rule: s, Signal: s,
			ModelKey:    []modelevent.Attribute{{Key: "model.name", Value: s}},
			Annotations: map[string]string{"summary": s, "runbook_url": s},
		}}
		msgs, err := Slack{}.Render(&Notification{Alerts: []Alert{NewAlert(ev)}})
		if err != nil {
			t.Fatal(err)
		}
		var m SlackMessage
		if err := json.Unmarshal(msgs[0].Body, &m); err != nil {
			t.Fatalf("invalid JSON: %v", err)
		}
		for _, b := range m.Blocks {
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > SlackSectionLimit {
				t.Fatalf("section of %d runes", utf8.RuneCountInString(b.Text.Text))
			}
		}
		if utf8.RuneCountInString(m.Text) > SlackSectionLimit {
			t.Fatalf("text of %d runes", utf8.RuneCountInString(m.Text))
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
