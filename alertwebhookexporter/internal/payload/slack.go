package payload

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Slack's limits: a section's text, the blocks of one message.
const (
	SlackSectionLimit = 3000
	slackMaxBlocks    = 50
)

// Slack renders an incoming-webhook message: a text fallback for
// notifications and clients without blocks, and blocks with one section
// per alert. All event text is escaped, so that model names or annotations
// cannot mention @channel or forge links.
type Slack struct{}

var _ Format = Slack{}

// SlackMessage is the body of a Slack incoming webhook.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is a section or context block.
type SlackBlock struct {
	Type     string      `json:"type"`
	Text     *SlackText  `json:"text,omitempty"`
	Elements []SlackText `json:"elements,omitempty"`
}

// SlackText is a mrkdwn text object.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// URL posts to the webhook URL itself.
func (Slack) URL(endpoint string) string { return endpoint }

// Signed is false: Slack does not verify Standard Webhooks.
func (Slack) Signed() bool { return false }

// Render builds one message for the notification.
func (Slack) Render(n *Notification) ([]Message, error) {
	title := slackTitle(n)
	m := SlackMessage{Text: slackEscapeCut(Cut(title+" "+slackFallback(n), SlackSectionLimit), SlackSectionLimit)}
	m.Blocks = append(m.Blocks, SlackBlock{Type: "section", Text: mrkdwn("*" + slackEscapeCut(Cut(title, SlackSectionLimit), SlackSectionLimit-2) + "*")})
	// One block stays free for the "more alerts" note.
	shown := min(len(n.Alerts), slackMaxBlocks-2)
	for i := range shown {
		m.Blocks = append(m.Blocks, SlackBlock{Type: "section", Text: mrkdwn(slackAlert(&n.Alerts[i]))})
	}
	if more := len(n.Alerts) - shown + n.Truncated; more > 0 {
		m.Blocks = append(m.Blocks, SlackBlock{Type: "context", Elements: []SlackText{*mrkdwn(fmt.Sprintf("and %d more alerts", more))}})
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return []Message{{ID: n.ID, Body: body}}, nil
}

// slackField escapes one value of an event, cut first so that a huge value
// costs no more than a section can show.
func slackField(s string) string {
	return slackEscape(Cut(s, SlackSectionLimit))
}

func mrkdwn(s string) *SlackText { return &SlackText{Type: "mrkdwn", Text: s} }

// slackTitle is Alertmanager's default title, [FIRING:n] rule, plus the
// severity and model for a single alert.
func slackTitle(n *Notification) string {
	status := strings.ToUpper(string(n.Status()))
	count := len(n.Alerts) + n.Truncated
	if n.Status() == modelevent.StateFiring {
		count = n.Firing()
	}
	t := fmt.Sprintf("[%s:%d]", status, count)
	if len(n.Alerts) == 1 {
		a := &n.Alerts[0]
		return fmt.Sprintf("%s %s %s on %s", t, a.Labels[LabelSeverity], a.Labels[LabelAlertName], a.Event.ModelID())
	}
	g := n.groupLabels()
	parts := make([]string, 0, len(g))
	for _, k := range sortedKeys(g) {
		parts = append(parts, k+"="+g[k])
	}
	return t + " " + strings.Join(parts, " ")
}

func slackFallback(n *Notification) string {
	if len(n.Alerts) == 1 {
		return n.Alerts[0].Text()
	}
	return fmt.Sprintf("%d alerts", len(n.Alerts)+n.Truncated)
}

// slackAlert is one alert's section: model, rule, severity, observed vs
// threshold, summary and runbook link, cut to a section's limit.
func slackAlert(a *Alert) string {
	v := &a.Event.Violation
	var b strings.Builder
	icon := ":red_circle:"
	if a.Status == modelevent.StateResolved {
		icon = ":large_green_circle:"
	}
	fmt.Fprintf(&b, "%s *%s* %s\n", icon, slackEscape(strings.ToUpper(string(a.Status))), slackField(v.ModelID()))
	fmt.Fprintf(&b, "*Rule:* %s   *Severity:* %s   *Kind:* %s\n",
		slackField(v.Rule), slackField(string(v.Severity)), slackField(string(v.Kind)))
	fmt.Fprintf(&b, "*Observed:* %s %s %s, %s threshold %s\n", slackField(v.Signal), slackField(v.Aggregation),
		slackEscape(FormatValue(v.Observed)), slackField(string(v.Comparison)), slackEscape(FormatValue(v.Threshold)))
	b.WriteString(slackField(a.Annotations[AnnotationSummary]))
	head := b.String()
	link := ""
	if rb := a.Annotations[AnnotationRunbook]; rb != "" {
		link = "\n*Runbook:* " + slackLink(rb, "runbook")
	}
	if len([]rune(head))+len([]rune(link)) <= SlackSectionLimit {
		return head + link
	}
	// Cut the escaped head on a rune boundary; escaping happened before, so
	// cut back to before any partial entity.
	limit := SlackSectionLimit - len([]rune(link))
	if limit < 1 {
		return Cut(head, SlackSectionLimit)
	}
	cut := Cut(head, limit)
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i] + ellipsis
	}
	return cut + link
}
