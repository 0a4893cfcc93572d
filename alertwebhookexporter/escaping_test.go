package alertwebhookexporter

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// hostile is an event whose model name, rule text and runbook try to break
// out of the payloads: JSON structure, Slack mentions and links.
func hostile() modelevent.Violation {
	v := firing("ev-hostile")
	v.ModelKey = []modelevent.Attribute{
		{Key: modelevent.AttrModelName, Value: `"}],"x":"<!channel>`},
		{Key: modelevent.AttrModelVersion, Value: "v1 <@U123> & <https://evil.example|click>"},
	}
	v.AlertID = modelevent.AlertID(v.Rule, v.ModelKey)
	v.Annotations = map[string]string{
		"summary":     "<!here> accuracy \"}], dropped",
		"runbook_url": "https://runbooks.example/a|<!channel>",
	}
	return v
}

// texts collects every string in a decoded JSON value.
func texts(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			texts(e, out)
		}
	case map[string]any:
		for _, e := range x {
			texts(e, out)
		}
	}
}

func TestEscaping(t *testing.T) {
	t.Run("slack", func(t *testing.T) {
		srv := newRecorder(t, 200)
		e := startExporter(t, testConfig(srv.URL+"/services/T/B/X", FormatSlack), nil, nil)
		require.NoError(t, e.pushLogs(context.Background(), logs(hostile())))
		bodies := srv.bodies(t)
		require.Len(t, bodies, 1)
		var all []string
		texts(bodies[0], &all)
		joined := strings.Join(all, "\n")
		for _, raw := range []string{"<!channel>", "<!here>", "<@U123>", "<https://evil.example|click>"} {
			assert.NotContains(t, joined, raw, "control sequence must be inert")
		}
		assert.Contains(t, joined, "&lt;!channel&gt;")
		assert.Contains(t, joined, "&lt;@U123&gt; &amp; ")
		// The only link is the runbook, with its | and < made harmless.
		assert.Contains(t, joined, "<https://runbooks.example/a%7C%3C%21channel%3E|runbook>")
	})
	t.Run("json", func(t *testing.T) {
		srv := newRecorder(t, 200)
		e := startExporter(t, testConfig(srv.URL, FormatJSON), nil, nil)
		v := hostile()
		require.NoError(t, e.pushLogs(context.Background(), logs(v)))
		bodies := srv.bodies(t)
		require.Len(t, bodies, 1)
		msg := bodies[0].(map[string]any)
		alerts := msg["alerts"].([]any)
		require.Len(t, alerts, 1, "the model name did not add or end any structure")
		labels := alerts[0].(map[string]any)["labels"].(map[string]any)
		assert.Equal(t, v.ModelKey[0].Value, labels["model_name"], "the value arrives intact, as data")
		assert.NotContains(t, msg, "x")
	})
}

func TestSlackRunbookOnlyHTTP(t *testing.T) {
	srv := newRecorder(t, 200)
	e := startExporter(t, testConfig(srv.URL+"/s", FormatSlack), nil, nil)
	v := firing("ev-js")
	v.Annotations = map[string]string{"runbook_url": "javascript:alert(1)"}
	require.NoError(t, e.pushLogs(context.Background(), logs(v)))
	var all []string
	texts(srv.bodies(t)[0], &all)
	joined := strings.Join(all, "\n")
	assert.Contains(t, joined, "*Runbook:* javascript:alert(1)")
	assert.NotContains(t, joined, "<javascript:")
}

func TestLimits(t *testing.T) {
	long := strings.Repeat("&", 5000)
	tests := []struct {
		format string
		check  func(t *testing.T, body any)
	}{
		{format: FormatSlack, check: func(t *testing.T, body any) {
			m := body.(map[string]any)
			assert.LessOrEqual(t, utf8.RuneCountInString(m["text"].(string)), 3000)
			for _, b := range m["blocks"].([]any) {
				if txt, ok := b.(map[string]any)["text"].(map[string]any); ok {
					s := txt["text"].(string)
					assert.LessOrEqual(t, utf8.RuneCountInString(s), 3000)
					assert.False(t, strings.HasSuffix(strings.TrimSuffix(s, "…"), "&am"), "no entity cut in half")
				}
			}
		}},
		{format: FormatPagerDuty, check: func(t *testing.T, body any) {
			p := body.(map[string]any)["payload"].(map[string]any)
			assert.Equal(t, 1024, utf8.RuneCountInString(p["summary"].(string)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			srv := newRecorder(t, 202)
			e := startExporter(t, testConfig(srv.URL+"/x", tt.format), nil, nil)
			v := firing("ev-long")
			v.Summary = long
			v.Annotations = map[string]string{"summary": long}
			require.NoError(t, e.pushLogs(context.Background(), logs(v)))
			bodies := srv.bodies(t)
			require.Len(t, bodies, 1)
			tt.check(t, bodies[0])
		})
	}
}
