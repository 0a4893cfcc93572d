package payload

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// ellipsis marks text that was cut.
const ellipsis = "…"

// Cut shortens s to at most limit characters (runes), ending with an
// ellipsis when it had to cut.
func Cut(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	n := 0
	for i := range s {
		if n == limit-1 {
			return s[:i] + ellipsis
		}
		n++
	}
	return s
}

// slackEscape makes user text inert in Slack mrkdwn: &, < and > are the only
// characters Slack's control sequences (<!channel>, <@user>, <url|text>) need.
func slackEscape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// slackEscapeCut escapes s and cuts it to limit characters of escaped text
// without splitting an entity such as &amp;.
func slackEscapeCut(s string, limit int) string {
	esc := slackEscape(s)
	if utf8.RuneCountInString(esc) <= limit {
		return esc
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		piece := slackEscape(string(r))
		w := utf8.RuneCountInString(piece)
		if n+w > limit-1 {
			break
		}
		b.WriteString(piece)
		n += w
	}
	b.WriteString(ellipsis)
	return b.String()
}

// slackLink renders <url|text> for http(s) URLs; anything else is shown as
// escaped text, so that a crafted runbook_url cannot become a control sequence.
func slackLink(raw, text string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return slackEscape(raw)
	}
	// '|' would end the URL part of the link; Slack wants &, <, > escaped in it.
	href := slackEscape(strings.ReplaceAll(u.String(), "|", "%7C"))
	return "<" + href + "|" + slackEscape(text) + ">"
}
