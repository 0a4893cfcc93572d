package payload

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestLabelName(t *testing.T) {
	tests := map[string]string{
		"model.name":    "model_name",
		"model_version": "model_version",
		"9lives":        "_9lives",
		"":              "_",
		"ünïcode-key":   "_n_code_key",
		"a1":            "a1",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			assert.Equal(t, want, LabelName(in))
		})
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{in: "short", limit: 10, want: "short"},
		{in: "exactly10!", limit: 10, want: "exactly10!"},
		{in: "eleven char", limit: 10, want: "eleven ch…"},
		{in: "ääääää", limit: 3, want: "ää…"},
		{in: "x", limit: 0, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Cut(tt.in, tt.limit)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestSlackEscapeCut(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{name: "fits", in: "a<b", limit: 10, want: "a&lt;b"},
		{name: "entity not split", in: "ab<cd", limit: 5, want: "ab…"},
		{name: "all ampersands", in: strings.Repeat("&", 10), limit: 12, want: "&amp;&amp;…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slackEscapeCut(tt.in, tt.limit)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, utf8.RuneCountInString(got), tt.limit)
		})
	}
}

func TestSlackLink(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{name: "https", url: "https://runbooks.example/a?b=1&c=2", want: "<https://runbooks.example/a?b=1&amp;c=2|runbook>"},
		{name: "not http", url: "javascript:alert(1)", want: "javascript:alert(1)"},
		{name: "mention inside", url: "<!channel>", want: "&lt;!channel&gt;"},
		{name: "no host", url: "https:///path", want: "https:///path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, slackLink(tt.url, "runbook"))
		})
	}
}
